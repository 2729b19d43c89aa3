// Writes one client response through uWS: gateway-made error bodies, or a streamed upstream response with backpressure.
import type { ResponseHeaders } from '../proxy/types.js';
import type { HttpResponse } from './uws-loader.js';
import { STATUS_TEXT } from './status-text.js';
import { attachBodyReader, ClientAbortedError, type BodyReader } from './body-reader.js';
import type { ClientResponse, WriterShared } from './engine.js';
import { countStatus, JSON_TYPE, ResponseWriterBase, skipResponseHeader } from './response-common.js';

// cork() runs its callback synchronously, so the writer and what it writes are passed through module
// variables instead of a closure allocated per write.
let corkWriter: UwsResponseWriter;
let corkChunk: Buffer;
let corkOk = true;
/** A gateway-made response for corkSend. */
const corkMade = { status: 0, body: '', contentType: '', wwwAuthenticate: null as string | null, close: false };
function corkSend(): void {
  const res = corkWriter.res;
  const m = corkMade;
  res.writeStatus(statusLine(m.status));
  res.writeHeader('Content-Type', m.contentType);
  res.writeHeader('X-Kong-Request-Id', corkWriter.requestId);
  if (m.wwwAuthenticate !== null) res.writeHeader('WWW-Authenticate', m.wwwAuthenticate);
  res.end(m.body, m.close);
}
function corkData(): void {
  corkOk = corkWriter.writeChunk(corkChunk);
}
function corkEnd(): void {
  corkWriter.finishNow();
}

// undici decodes upstream header bytes as latin1 and uWS writes JS strings as UTF-8: pass such values as the original bytes.
const NON_ASCII = /[^\x00-\x7f]/;
function headerBytes(value: string): string | Buffer {
  return NON_ASCII.test(value) ? Buffer.from(value, 'latin1') : value;
}

function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Unknown`;
}

export class UwsResponseWriter extends ResponseWriterBase implements ClientResponse {
  /** The request body being read, if any: while unread, gateway-made responses close the connection. */
  body: BodyReader | null = null;
  /** Status and headers to write with the first body bytes. */
  private status = 0;
  private headers: ResponseHeaders | null = null;
  private headWritten = false;
  /** HEAD/204/304: end without a body; HEAD keeps the upstream's Content-Length. */
  private headersNoBody = false;
  private headersContentLength: string | null = null;
  /** Declared body length (tryEnd), -1 for chunked. */
  private total = -1;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private writableArmed = false;

  constructor(readonly res: HttpResponse, requestId: string, shared: WriterShared) {
    super(requestId, shared);
    res.onAborted(() => {
      this.aborted = true;
      const body = this.body;
      if (body !== null) {
        body.resActive = false;
        body.fail(new ClientAbortedError());
      }
      if (this.finished) return;
      this.complete();
      this.listener?.onDownstreamAbort();
    });
  }

  /** A complete response made by the gateway (errors, denials); safe to call from any context. */
  send(status: number, body: string, contentType: string, wwwAuthenticate: string | null = null): void {
    if (this.finished || this.started) return;
    this.started = true;
    countStatus(this.shared.counters, status);
    const m = corkMade;
    m.status = status;
    m.body = body;
    m.contentType = contentType;
    m.wwwAuthenticate = wwwAuthenticate;
    m.close = this.closeConnection || (this.body !== null && !this.body.ended) || this.shared.draining;
    corkWriter = this;
    this.res.cork(corkSend);
    this.complete();
  }

  openBody(limit: number): BodyReader {
    const body = attachBodyReader(this.res, limit);
    this.body = body;
    return body;
  }

  sendJson(status: number, body: string, wwwAuthenticate: string | null = null): void {
    this.send(status, body, JSON_TYPE, wwwAuthenticate);
  }

  start(status: number, headers: ResponseHeaders, noBody: boolean): void {
    if (this.finished) return;
    this.started = true;
    countStatus(this.shared.counters, status);
    this.status = status;
    this.headers = headers;
    const cl = headers['content-length'];
    if (noBody) {
      this.headersNoBody = true;
      if (typeof cl === 'string' && status !== 204) this.headersContentLength = cl;
      corkWriter = this;
      this.res.cork(corkEnd);
      return;
    }
    if (typeof cl === 'string') this.total = Number(cl);
  }

  data(chunk: Buffer): boolean {
    if (this.finished) return true;
    corkWriter = this;
    corkChunk = chunk;
    this.res.cork(corkData);
    return corkOk;
  }

  end(): void {
    if (this.finished) return;
    corkWriter = this;
    this.res.cork(corkEnd);
  }

  /** Drops the client connection (mid-body upstream failure, or forced shutdown). */
  close(): void {
    if (this.finished) return;
    // Completed first: res.close() runs onAborted at once, which must find the response finished.
    this.complete();
    this.res.close();
  }

  protected override complete(): void {
    if (this.body !== null) this.body.resActive = false;
    super.complete();
  }

  private writeHead(): void {
    this.headWritten = true;
    const res = this.res;
    res.writeStatus(statusLine(this.status));
    const headers = this.headers!;
    let via: string | undefined;
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      if (skipResponseHeader(name)) {
        if (name === 'via') via = typeof value === 'string' ? value : value.join(', ');
        continue;
      }
      if (typeof value === 'string') res.writeHeader(name, headerBytes(value));
      else for (let i = 0; i < value.length; i++) res.writeHeader(name, headerBytes(value[i]!));
    }
    res.writeHeader('Via', via === undefined ? this.shared.via : headerBytes(`${via}, ${this.shared.via}`));
    res.writeHeader('X-Kong-Request-Id', this.requestId);
    this.headers = null;
  }

  /** Inside cork. Returns false on backpressure. */
  writeChunk(chunk: Buffer): boolean {
    const res = this.res;
    if (!this.headWritten) {
      this.writeHead();
      if (this.total === chunk.length) {
        // The whole declared body in one chunk (the common small response): end() also honours draining's close.
        res.end(chunk, this.shared.draining);
        this.complete();
        return true;
      }
    }
    if (this.total >= 0) {
      const offset = res.getWriteOffset();
      const [ok, done] = res.tryEnd(chunk, this.total);
      if (done) {
        this.complete();
        return true;
      }
      if (!ok) {
        this.pending = chunk;
        this.pendingOffset = offset;
        this.armWritable();
        return false;
      }
      return true;
    }
    if (!res.write(chunk)) {
      this.armWritable();
      return false;
    }
    return true;
  }

  /** Inside cork: ends the response (HEAD/204/304, chunked end, or an empty declared body). */
  finishNow(): void {
    if (this.pending !== null) return; // onWritable completes the declared length
    const res = this.res;
    if (!this.headWritten) this.writeHead();
    if (this.headersNoBody) {
      // endWithoutBody(n) stalls a keep-alive connection in uWS 20.30, so HEAD's length goes in as a plain header.
      if (this.headersContentLength !== null) res.writeHeader('Content-Length', this.headersContentLength);
      res.endWithoutBody();
      this.complete();
      return;
    }
    if (this.total > 0) {
      // Upstream ended before its declared length: the client must not see a truncated body as complete.
      this.close();
      return;
    }
    res.end('', this.shared.draining);
    this.complete();
  }

  private armWritable(): void {
    if (this.writableArmed) return;
    this.writableArmed = true;
    this.res.onWritable((offset) => this.onWritable(offset));
  }

  private onWritable(offset: number): boolean {
    if (this.finished) return true;
    const pending = this.pending;
    if (pending !== null) {
      const [ok, done] = this.res.tryEnd(pending.subarray(offset - this.pendingOffset), this.total);
      if (done) {
        this.pending = null;
        this.complete();
        return true;
      }
      if (!ok) return false;
      this.pending = null;
    }
    const listener = this.listener;
    if (listener !== null) queueMicrotask(() => listener.onDownstreamDrain());
    return true;
  }
}
