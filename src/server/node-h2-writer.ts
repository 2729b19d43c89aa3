// Writes one HTTP/2 response with node:http2's core stream API: one respond() of a prebuilt header object, then the body.
import http2, { type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { headerName, headerText, type RawHeaders } from '../proxy/response-headers.js';
import type { ClientResponse, WriterShared } from './engine.js';
import { NodeWriterBase } from './node-writer-base.js';
import { skipResponseHeader } from './response-common.js';
import type { RequestIds } from '../pipeline/request-id.js';

const WRITER = Symbol('portcullis.h2writer');
type Tagged = ServerHttp2Stream & { [WRITER]?: H2ResponseWriter };

// One listener function per event for every stream (no closure per request); the writer rides on the stream.
function onStreamClose(this: Tagged): void {
  this[WRITER]?.onClose();
}
function onStreamDrain(this: Tagged): void {
  const listener = this[WRITER]?.listener;
  if (listener) listener.onDownstreamDrain();
}
/** A stream error (a reset, a protocol error) also closes the stream, which is what the writer acts on. */
function ignoreStreamError(): void {}

const END_STREAM = { endStream: true } as const;
const { NGHTTP2_INTERNAL_ERROR } = http2.constants;
/**
 * Sent as HPACK "never indexed" literals. The request id differs on every response: indexed, each one is added to the
 * connection's dynamic table and evicts an older entry, in nghttp2 here and in the client's decoder. A bare
 * node:http2 server sending such a header answered 1.18× more requests per CPU-second without indexing it.
 */
const NEVER_INDEXED: readonly string[] = Object.freeze(['x-kong-request-id']);
const SENSITIVE: symbol = http2.sensitiveHeaders;

/** The request id on a response header object, never indexed (see NEVER_INDEXED). */
function setRequestId(headers: OutgoingHttpHeaders, requestId: string): void {
  headers['x-kong-request-id'] = requestId;
  (headers as Record<symbol, unknown>)[SENSITIVE] = NEVER_INDEXED;
}

/**
 * The response of one HTTP/2 stream. The compatibility API (Http2ServerRequest/Response) costs two more stream objects,
 * a Proxy socket, a setHeader validation per header and a trailers round trip per request; the core API does not.
 */
export class H2ResponseWriter extends NodeWriterBase implements ClientResponse {
  /** 'drain' is listened to from the first write the stream could not take (most responses never need it). */
  private drainListened = false;

  constructor(
    protected readonly stream: ServerHttp2Stream,
    /** A HEAD request: respond() ends its stream with the headers. */
    protected readonly head: boolean,
    requestIds: RequestIds,
    shared: WriterShared,
  ) {
    super(stream, requestIds, shared);
    (stream as Tagged)[WRITER] = this;
    stream.on('close', onStreamClose);
    stream.on('error', ignoreStreamError);
  }

  /** The stream closed: after finishing, or because the client reset it or went away first. */
  onClose(): void {
    (this.stream as Tagged)[WRITER] = undefined;
    this.abandon();
  }

  /** A complete gateway-made response; `extra` is flat [name, value, ...] written after the standard headers. */
  protected send(status: number, body: string, contentType: string, wwwAuthenticate: string | null, extra: readonly string[] | null): void {
    if (this.finished || this.started) return;
    this.started = true;
    this.begin(status, body);
    const headers: OutgoingHttpHeaders = { ':status': status };
    if (contentType !== '') headers['content-type'] = contentType;
    headers['content-length'] = Buffer.byteLength(body);
    setRequestId(headers, this.requestId);
    if (wwwAuthenticate !== null) headers['www-authenticate'] = wwwAuthenticate;
    if (extra !== null) for (let i = 0; i < extra.length; i += 2) headers[extra[i]!.toLowerCase()] = extra[i + 1]!;
    const stream = this.stream;
    try {
      stream.respond(headers, body === '' ? END_STREAM : undefined);
    } catch {
      this.close();
      return;
    }
    this.complete();
    // A HEAD request's stream ended with its headers.
    if (body !== '' && !this.head) stream.end(body);
  }

  start(status: number, raw: RawHeaders, noBody: boolean): void {
    if (this.finished) return;
    this.started = true;
    this.begin(status, null);
    // The upstream's headers straight into the object respond() takes: lower-case names, repeated ones as arrays.
    const headers = Object.create(null) as OutgoingHttpHeaders;
    headers[':status'] = status;
    let via: string | undefined;
    let contentLength: string | undefined;
    let contentLengths = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const name = headerName(raw[i]!);
      const value = headerText(raw[i + 1]!);
      if (skipResponseHeader(name)) {
        if (name === 'via') via = via === undefined ? value : `${via}, ${value}`;
        else if (name === 'content-length' && contentLengths++ === 0) contentLength = value;
        continue;
      }
      const previous = headers[name];
      if (previous === undefined) headers[name] = value;
      else if (Array.isArray(previous)) previous.push(value);
      else headers[name] = [previous as string, value];
    }
    if (contentLengths === 1 && status !== 204 && status !== 304) {
      headers['content-length'] = contentLength;
      if (!noBody) this.total = Number(contentLength);
    }
    headers.via = via === undefined ? this.shared.via : `${via}, ${this.shared.via}`;
    setRequestId(headers, this.requestId);
    try {
      this.stream.respond(headers, this.responseOptions(noBody));
    } catch {
      // A header Node refuses to send over HTTP/2: the client must not get a half-made response.
      this.close();
      return;
    }
    if (noBody) this.complete();
  }

  /** respond()'s options for an upstream response (the gRPC writer waits for trailers). */
  protected responseOptions(noBody: boolean): { endStream?: boolean; waitForTrailers?: boolean } | undefined {
    return noBody ? END_STREAM : undefined;
  }

  data(chunk: Buffer): boolean {
    if (this.finished) return true;
    this.counted(chunk.length);
    const stream = this.stream;
    if (stream.write(chunk)) return true;
    if (!this.drainListened) {
      this.drainListened = true;
      stream.on('drain', onStreamDrain);
    }
    return false;
  }

  end(): void {
    if (this.finished) return;
    if (this.truncated) {
      this.close();
      return;
    }
    this.complete();
    this.stream.end();
  }

  /** Resets the stream (RST_STREAM INTERNAL_ERROR): a bare destroy() would reset with NO_ERROR, which clients read as a complete body. */
  close(): void {
    if (this.finished) return;
    this.complete();
    this.stream.close(NGHTTP2_INTERNAL_ERROR);
  }
}
