// Writes one client response through node:http / node:http2 (compatibility API), and reads its request body with backpressure.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import type { ResponseHeaders } from '../proxy/types.js';
import { ClientAbortedError, PayloadTooLargeError } from './body-reader.js';
import type { ClientResponse, RequestBody, WriterShared } from './engine.js';
import type { NodeRequest } from './node-request.js';
import { JSON_TYPE, ResponseWriterBase, skipResponseHeader } from './response-common.js';

type NodeResponse = ServerResponse | Http2ServerResponse;

/**
 * The request body read with `read()` in paused mode: Node stops reading the socket (HTTP/1) or the stream's
 * flow-control window (HTTP/2) while the proxy lags. Abandoning it never destroys the request, so a gateway
 * answer (413, 502) can still be written.
 */
export class NodeRequestBody implements RequestBody {
  received = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;

  constructor(private readonly req: NodeRequest, private readonly limit: number) {
    const signal = (): void => this.signal();
    req.on('readable', signal);
    req.on('end', signal);
    req.on('error', (error: Error) => this.fail(error));
  }

  get ended(): boolean {
    return this.req.complete;
  }

  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    const req = this.req;
    for (;;) {
      if (this.failure !== null) throw this.failure;
      const chunk = req.read() as Buffer | null;
      if (chunk !== null) {
        this.received += chunk.length;
        if (this.received > this.limit) {
          this.fail(new PayloadTooLargeError());
          continue;
        }
        yield chunk;
        continue;
      }
      if (req.readableEnded) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

const WRITER = Symbol('portcullis.writer');
type Tagged = NodeResponse & { [WRITER]?: NodeResponseWriter };

// One listener function per event for every response (no closure per request); the writer rides on the response.
function onResponseClose(this: Tagged): void {
  this[WRITER]?.onClose();
}
function onResponseDrain(this: Tagged): void {
  const listener = this[WRITER]?.listener;
  if (listener) listener.onDownstreamDrain();
}

export class NodeResponseWriter extends ResponseWriterBase implements ClientResponse {
  body: NodeRequestBody | null = null;
  /** Declared body length, -1 when none; and bytes written, to refuse presenting a truncated body as complete. */
  private total = -1;
  private written = 0;

  constructor(
    private readonly req: NodeRequest,
    private readonly res: NodeResponse,
    requestId: string,
    shared: WriterShared,
    private readonly http2: boolean,
  ) {
    super(requestId, shared);
    (res as Tagged)[WRITER] = this;
    res.on('close', onResponseClose);
    res.on('drain', onResponseDrain);
  }

  openBody(limit: number): NodeRequestBody {
    const body = new NodeRequestBody(this.req, limit);
    this.body = body;
    return body;
  }

  /** The response closed: after finishing, or because the client went away first. */
  onClose(): void {
    (this.res as Tagged)[WRITER] = undefined;
    if (this.finished) return;
    this.aborted = true;
    this.body?.fail(new ClientAbortedError());
    this.complete();
    this.listener?.onDownstreamAbort();
  }

  sendJson(status: number, body: string, wwwAuthenticate: string | null = null): void {
    if (this.finished || this.started) return;
    this.started = true;
    this.begin(status, body);
    const res = this.res;
    res.statusCode = status;
    res.setHeader('Content-Type', JSON_TYPE);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.setHeader('X-Kong-Request-Id', this.requestId);
    if (wwwAuthenticate !== null) res.setHeader('WWW-Authenticate', wwwAuthenticate);
    this.askClose(this.closeConnection || (this.body !== null && !this.body.ended));
    this.complete();
    res.end(body);
  }

  start(status: number, headers: ResponseHeaders, noBody: boolean): void {
    if (this.finished) return;
    this.started = true;
    this.begin(status, null);
    const res = this.res;
    try {
      res.statusCode = status;
      let via: string | undefined;
      for (const name in headers) {
        const value = headers[name];
        if (value === undefined) continue;
        if (skipResponseHeader(name)) {
          if (name === 'via') via = typeof value === 'string' ? value : value.join(', ');
          continue;
        }
        res.setHeader(name, value);
      }
      const cl = headers['content-length'];
      if (typeof cl === 'string' && status !== 204 && status !== 304) {
        res.setHeader('Content-Length', cl);
        if (!noBody) this.total = Number(cl);
      }
      res.setHeader('Via', via === undefined ? this.shared.via : `${via}, ${this.shared.via}`);
      res.setHeader('X-Kong-Request-Id', this.requestId);
      this.askClose(false);
    } catch {
      // A header value Node refuses to write: the client must not get a half-made response.
      this.close();
      return;
    }
    if (noBody) {
      this.complete();
      res.end();
    }
  }

  data(chunk: Buffer): boolean {
    if (this.finished) return true;
    this.written += chunk.length;
    this.relayed(chunk.length);
    return (this.res as ServerResponse).write(chunk);
  }

  end(): void {
    if (this.finished) return;
    if (this.total > 0 && this.written < this.total) {
      // Upstream ended before its declared length: the client must not see a truncated body as complete.
      this.close();
      return;
    }
    this.complete();
    this.res.end();
  }

  close(): void {
    if (this.finished) return;
    this.complete();
    if (this.http2) (this.res as Http2ServerResponse).stream.destroy();
    else (this.res as ServerResponse).destroy();
  }

  /** HTTP/1 only (HTTP/2 forbids Connection): close after this response when asked, or while draining. */
  private askClose(close: boolean): void {
    if (!this.http2 && (close || this.shared.draining)) this.res.setHeader('Connection', 'close');
  }
}
