// The node engine: serves one listener with node:http, node:https or node:http2 (h2c, or TLS with ALPN and HTTP/1.1 fallback).
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import { lookup } from 'node:dns';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { SecureContextOptions, TLSSocket, TlsOptions } from 'node:tls';
import { GATEWAY_MESSAGES, messageBody } from '../errors.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import { createH2StreamHandler } from './node-h2-stream.js';
import { snapshotNodeRequest } from './node-request.js';
import { NodeResponseWriter } from './node-response-writer.js';
import { JSON_TYPE, KEEP_ALIVE_TIMEOUT_S } from './response-common.js';
import type { TlsMaterial } from '../tls/tls-material.js';
import type { NodeHelloPeek } from '../tls/tls-generation.js';
import { peekHellosOn } from '../tls/client-hello.js';
import { canListenSharedPort, listenSharedPort } from '../native/shared-listen.js';

/**
 * Certificate options for `ssl` listeners: a default certificate and/or an SNICallback (the TLS module provides them),
 * and whether connections need their ClientHello read first (read per connection).
 */
export type NodeTlsOptions = SecureContextOptions & Pick<TlsOptions, 'SNICallback'> & { peekHello?: NodeHelloPeek };

export interface NodeEngineOptions {
  /** gateway.max_header_bytes: the pipeline answers heads over it with 414/400; far beyond, the parser answers 431. */
  maxHeaderBytes: number;
  /** Required for `ssl` listeners. */
  tls: NodeTlsOptions | null;
  /** The server's own certificate for new TLS material (its SNICallback already reads the current generation). */
  defaultCertificate?: (material: TlsMaterial) => SecureContextOptions;
}

/** Node ≥ 22.12 (and 23.1) can bind one port from several threads (SO_REUSEPORT); Node 20 cannot. */
const NODE_REUSE_PORT = ((): boolean => {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 12);
})();

/**
 * How worker threads share one node-engine port: node:net's `reusePort` (Node 22.12+), a socket the native addon
 * opens with SO_REUSEPORT (older Node), or not at all (no addon: only worker 0 serves node-engine listeners).
 */
export const NODE_PORT_SHARING: 'net' | 'addon' | 'none' = NODE_REUSE_PORT ? 'net' : canListenSharedPort ? 'addon' : 'none';

/** Room above max_header_bytes for the request line and framing, so the pipeline's own 414/400 decide at the limit. */
const PARSER_SLACK = 1024;
const TLS_VERSIONS = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' } as const;

type AnyServer = http.Server | https.Server | http2.Http2Server | http2.Http2SecureServer;

const CURRENT = Symbol('portcullis.currentWriter');
type Tracked = Socket & { [CURRENT]?: NodeResponseWriter };

/**
 * A client's FIN: half-close support (httpAllowHalfOpen) keeps answering a request sent before it. But a FIN while
 * the response is already streaming is a client that left: drop the connection so the upstream request is aborted,
 * as the uWS engine does, instead of waiting for a write to fail.
 */
function onClientEnd(this: Tracked): void {
  const writer = this[CURRENT];
  if (writer?.started && !writer.finished) this.destroy();
}

const PARSER_ANSWERS: Record<string, { status: string; body: string }> = {
  HPE_HEADER_OVERFLOW: { status: '431 Request Header Fields Too Large', body: messageBody(GATEWAY_MESSAGES.headerTooLarge) },
  ERR_HTTP_REQUEST_TIMEOUT: { status: '408 Request Timeout', body: messageBody(GATEWAY_MESSAGES.badRequest) },
};
const BAD_REQUEST = { status: '400 Bad Request', body: messageBody(GATEWAY_MESSAGES.badRequest) };
const REQUEST_LINE_START = /^[A-Z]+ [^\r\n]*$/;
const URI_TOO_LONG = { status: '414 URI Too Long', body: messageBody(GATEWAY_MESSAGES.uriTooLong) };

/**
 * The parser's overflow covers the whole head; when the request line alone has no end in what was read, the target
 * is what is too long, and the pipeline (and the uWS engine) answer that with 414, not 431.
 */
function overflowAnswer(error: Error & { rawPacket?: Buffer }): { status: string; body: string } {
  const raw = error.rawPacket;
  return raw !== undefined && REQUEST_LINE_START.test(raw.toString('latin1', 0, 32)) && raw.indexOf(10 /* LF */) === -1
    ? URI_TOO_LONG
    : PARSER_ANSWERS.HPE_HEADER_OVERFLOW!;
}

/** What Node's parser refuses never reaches the pipeline: answer it in the gateway's JSON shape, then close. */
function answerClientError(error: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const a = error.code === 'HPE_HEADER_OVERFLOW' ? overflowAnswer(error) : (PARSER_ANSWERS[error.code ?? ''] ?? BAD_REQUEST);
  socket.end(
    `HTTP/1.1 ${a.status}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${Buffer.byteLength(a.body)}\r\n` +
      `Connection: close\r\n\r\n${a.body}`,
  );
}

export function createNodeEngine(listener: ListenerContext, entry: PipelineEntry, options: NodeEngineOptions): EngineServer {
  const { spec } = listener;
  let port = 0;
  // HTTP/1 requests (also the HTTP/1.1 fallback of a TLS http2 listener); HTTP/2 streams go to onStream.
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const writer = new NodeResponseWriter(req, res, entry.requestIds, entry.shared);
    (req.socket as Tracked)[CURRENT] = writer;
    const snap = snapshotNodeRequest(req, port);
    if (spec.ssl) {
      snap.tls = true;
      const name = (req.socket as TLSSocket).servername;
      snap.sni = typeof name === 'string' && name !== '' ? name.toLowerCase() : null;
    }
    entry.handle(writer, snap, listener);
  };
  const onStream = createH2StreamHandler(listener, entry, () => port);
  /**
   * HTTP/2 streams through the core 'stream' API. Adding a 'request' listener (for the HTTP/1.1 fallback under TLS)
   * makes node:http2 install its compatibility layer on 'stream' too; that listener is removed, so HTTP/2 streams are
   * not wrapped in Http2ServerRequest/Response objects nobody reads.
   */
  const h2Server = <S extends http2.Http2Server | http2.Http2SecureServer>(server: S, http1: typeof onRequest | null): S => {
    server.on('stream', onStream);
    if (http1 !== null) {
      server.on('request', http1);
      for (const other of server.listeners('stream')) if (other !== onStream) server.off('stream', other as typeof onStream);
    }
    return server;
  };
  const http1Options: http.ServerOptions = {
    maxHeaderSize: options.maxHeaderBytes + PARSER_SLACK,
    requireHostHeader: true,
    // node:http announces it as `Keep-Alive: timeout=5`, the hint the uWS engine sends too.
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_S * 1000,
  };
  // HPACK counts 32 bytes of overhead per field (RFC 7541 §4.1); the pipeline's own check stays exact.
  const h2Settings: http2.Settings = { maxHeaderListSize: options.maxHeaderBytes * 2 };
  let server: AnyServer;
  if (spec.ssl) {
    if (options.tls === null)
      throw new Error(`listener ${spec.host}:${spec.port} has 'ssl' but no certificate is configured (gateway.ssl_cert)`);
    const { peekHello, ...certificates } = options.tls;
    const tls = { ...certificates, ...TLS_VERSIONS };
    const secure = spec.http2
      ? h2Server(http2.createSecureServer({ ...tls, allowHTTP1: true, settings: h2Settings }), onRequest)
      : https.createServer({ ...tls, ...http1Options }, onRequest);
    if (peekHello !== undefined) peekHellosOn(secure, peekHello.wanted, peekHello.choose);
    server = secure;
  } else {
    server = spec.http2 ? h2Server(http2.createServer({ settings: h2Settings }), null) : http.createServer(http1Options, onRequest);
  }
  // A client that half-closes after sending its request still gets its answer (undocumented, read by node:http).
  (server as { httpAllowHalfOpen?: boolean }).httpAllowHalfOpen = true;
  server.on('clientError', answerClientError);
  const sockets = new Set<Socket>();
  server.on(spec.ssl ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('end', onClientEnd);
  });

  return {
    listen(host, wanted) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        const listening = (): void => {
          server.off('error', reject);
          port = (server.address() as AddressInfo).port;
          resolve(port);
        };
        const backlog = spec.backlog ?? undefined;
        if (NODE_PORT_SHARING !== 'addon') {
          server.listen({ host, port: wanted, backlog, reusePort: NODE_REUSE_PORT || undefined }, listening);
          return;
        }
        // node:net resolves a host name with dns.lookup before binding; the addon takes the address it picks.
        lookup(host, (lookupError, address) => {
          if (lookupError) return reject(lookupError);
          try {
            server.listen({ fd: listenSharedPort(address, wanted, spec.backlog), backlog }, listening);
          } catch (err) {
            reject(err);
          }
        });
      });
    },
    stopListening() {
      if (!server.listening) return;
      // HTTP/1: stop accepting but keep idle keep-alive connections (node:http's close() would drop them at once): the
      // drain answers their next request with `Connection: close` and closes them after its quiet period (closeAll).
      // HTTP/2's close() sends GOAWAY, which lets open streams finish.
      if (spec.http2) server.close();
      else net.Server.prototype.close.call(server);
    },
    closeAll() {
      this.stopListening();
      if ('closeIdleConnections' in server) {
        server.closeIdleConnections();
        server.close(); // also ends node:http's connection-checking timer
      }
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    async updateTls(material) {
      // Established connections keep the context they were made with; new handshakes get the new one.
      if (spec.ssl && options.defaultCertificate)
        (server as https.Server).setSecureContext({ ...options.defaultCertificate(material), ...TLS_VERSIONS });
    },
  };
}
