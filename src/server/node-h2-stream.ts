// Serves one HTTP/2 stream with node:http2's core API: its RequestSnapshot, the answers Node's compatibility layer gave, the pipeline.
import http2, { type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { ListenerContext, PipelineEntry } from './engine.js';
import { H2ResponseWriter } from './node-h2-writer.js';
import { GrpcResponseWriter } from './node-grpc-writer.js';
import { isGrpcContentType } from './grpc-status.js';
import { peerText, setTarget } from './node-request.js';
import { RequestSnapshot, recordHeader } from './request-snapshot.js';

const { NGHTTP2_FLAG_END_STREAM } = http2.constants;

/** What a session's streams share, read once per connection rather than through its socket Proxy per stream. */
interface SessionFacts {
  readonly peer: string;
  /** The TLS server name (lower-case), null when none or not TLS. */
  readonly sni: string | null;
}
const FACTS = Symbol('portcullis.sessionFacts');
type FactSession = ServerHttp2Session & { [FACTS]?: SessionFacts };

function sessionFacts(session: FactSession): SessionFacts {
  let facts = session[FACTS];
  if (facts === undefined) {
    const socket = session.socket as TLSSocket;
    const name = socket.servername;
    facts = { peer: peerText(socket.remoteAddress), sni: typeof name === 'string' && name !== '' ? name.toLowerCase() : null };
    session[FACTS] = facts;
  }
  return facts;
}

export function snapshotH2Stream(
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
  flags: number,
  rawHeaders: readonly string[],
  listenPort: number,
): RequestSnapshot {
  const s = new RequestSnapshot(listenPort);
  s.method = headers[':method'] ?? '';
  let authority: string | null = null;
  // Where the first cookie field's value sits in s.headers, -1 before one.
  let cookieAt = -1;
  // Header values stay as latin1 text: one char per byte sent, so undici (which writes latin1) relays them unchanged.
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    if (name.charCodeAt(0) === 58 /* ':' */) {
      // Pseudo-headers: :authority is the Host (RFC 9113 §8.3.1); the method and target are read above and below.
      if (name === ':authority') authority = value;
      continue;
    }
    if (name === 'cookie' && cookieAt >= 0) {
      // RFC 9113 §8.2.3: cookie fields (clients send each cookie as its own) become one Cookie header, joined by
      // "; ", before they go on over HTTP/1.1, where a server may read only one Cookie line. nginx does the same.
      s.headers[cookieAt] += `; ${value}`;
      s.headerBytes += value.length + 2;
      continue;
    }
    if (name === 'cookie') cookieAt = s.headers.length + 1;
    // HTTP/2 field names arrive in lower case (nghttp2 refuses others).
    recordHeader(s, name, value);
  }
  if (authority !== null && s.hostCount === 0) recordHeader(s, 'host', authority);
  setTarget(s, headers[':path'] ?? '/');
  // HTTP/2 has no chunked coding: a stream that did not end with its headers carries a body of unknown length.
  if (s.contentLength === -1 && (flags & NGHTTP2_FLAG_END_STREAM) === 0) s.chunked = true;
  const facts = sessionFacts(stream.session as FactSession);
  s.remoteAddress = facts.peer;
  return s;
}

const { HTTP2_HEADER_STATUS } = http2.constants;
const EMPTY_END = { endStream: true } as const;

/**
 * The 'stream' listener of an `http2` listener. CONNECT and an Expect other than 100-continue get the bodiless 405 and
 * 417 that Node's compatibility layer answered before this engine used the core API; 100-continue is sent at once.
 */
export function createH2StreamHandler(
  listener: ListenerContext,
  entry: PipelineEntry,
  port: () => number,
): (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, flags: number, rawHeaders: string[]) => void {
  const tls = listener.spec.ssl;
  return (stream, headers, flags, rawHeaders) => {
    const method = headers[':method'];
    const expect = headers.expect;
    if (method === 'CONNECT' || (expect !== undefined && expect !== '100-continue')) {
      stream.on('error', ignore);
      stream.respond({ [HTTP2_HEADER_STATUS]: method === 'CONNECT' ? 405 : 417 }, EMPTY_END);
      return;
    }
    if (expect !== undefined) stream.additionalHeaders({ [HTTP2_HEADER_STATUS]: 100 });
    // Kong's gRPC request: HTTP/2 with an application/grpc Content-Type (its answers and trailers differ).
    const grpc = isGrpcContentType(headers['content-type']);
    const writer = grpc
      ? new GrpcResponseWriter(stream, entry.requestIds, entry.shared)
      : new H2ResponseWriter(stream, method === 'HEAD', entry.requestIds, entry.shared);
    const snap = snapshotH2Stream(stream, headers, flags, rawHeaders, port());
    snap.grpc = grpc;
    if (tls) {
      snap.tls = true;
      snap.sni = sessionFacts(stream.session as FactSession).sni;
    }
    entry.handle(writer, snap, listener);
  };
}

function ignore(): void {}
