// A node-engine request body (node:http request or HTTP/2 stream) read with backpressure, for the proxy or to be discarded.
import { IncomingMessage } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { DiscardSink } from './body-reader.js';
import { ClientAbortedError, PayloadTooLargeError } from '../portcullis-error.js';
import type { RequestBody } from './engine.js';

/** What a request body is read from: an HTTP/1 request, or an HTTP/2 stream's readable side. */
export type BodySource = IncomingMessage | ServerHttp2Stream;

/**
 * The request body read with `read()` in paused mode: Node stops reading the socket (HTTP/1) or the stream's
 * flow-control window (HTTP/2) while the proxy lags. Abandoning it never destroys the request, so a gateway
 * answer (413, 502) can still be written.
 */
export class NodeRequestBody implements RequestBody {
  received = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  /** Set once the body is being discarded (a refused request): bytes are read off the socket and only counted. */
  private discardSink: DiscardSink | null = null;
  private discardEnded = false;

  constructor(
    private readonly req: BodySource,
    private readonly limit: number,
    readonly declared: number,
  ) {
    const signal = (): void => this.signal();
    req.on('readable', signal);
    req.on('end', signal);
    req.on('error', (error: Error) => this.fail(error));
  }

  get ended(): boolean {
    const req = this.req;
    // node:http knows when the whole body arrived; an HTTP/2 stream's readable side ended, or the stream closed.
    return req instanceof IncomingMessage ? req.complete : req.readableEnded || req.destroyed;
  }

  /** Body bytes still to come: -1 when the length was not declared (chunked). */
  remaining(): number {
    return this.declared < 0 ? -1 : Math.max(0, this.declared - this.received);
  }

  /** Stops delivering: every chunk from now on (and the end) is only reported to the sink. */
  discard(sink: DiscardSink): void {
    this.discardSink = sink;
    // A consumer still waiting (the proxy) stops; from here every signal only reads and drops.
    this.fail(new ClientAbortedError());
  }

  private drainDiscarded(sink: DiscardSink): void {
    const req = this.req;
    let chunk: Buffer | null;
    while ((chunk = req.read() as Buffer | null) !== null) {
      this.received += chunk.length;
      sink.onDiscarded(chunk.length, false);
    }
    if (this.ended && !this.discardEnded) {
      this.discardEnded = true;
      sink.onDiscarded(0, true);
    }
  }

  fail(error: Error): void {
    if (this.failure === null) this.failure = error;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake();
    }
    if (this.discardSink !== null) this.drainDiscarded(this.discardSink);
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
