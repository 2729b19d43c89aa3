// Streams a request body out of uWS onData as an async iterable, pausing the client socket when the consumer lags.
import type { HttpResponse } from './uws-loader.js';

export class PayloadTooLargeError extends Error {
  readonly code = 'PORTCULLIS_PAYLOAD_TOO_LARGE';
  constructor() {
    super('request body exceeds max_body_bytes');
  }
}

export class ClientAbortedError extends Error {
  readonly code = 'PORTCULLIS_CLIENT_ABORTED';
  constructor() {
    super('client aborted the request');
  }
}

const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

/**
 * Register with `attachBodyReader` inside the uWS handler (uWS drops body bytes that arrive with no
 * onData handler). Bytes queue until consumed; above HIGH_WATER the client socket is paused.
 */
export class BodyReader implements AsyncIterable<Buffer> {
  received = 0;
  ended = false;
  private failure: Error | null = null;
  private readonly queue: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  /** Set while the consumer waits for bytes. */
  private wake: (() => void) | null = null;
  /** false once the response ended: pause/resume on a finished uWS response throws. */
  resActive = true;

  constructor(private readonly res: HttpResponse, private readonly limit: number) {}

  push(ab: ArrayBuffer, isLast: boolean): void {
    // After the response is over nobody consumes: drop the rest instead of queueing it.
    if (this.failure !== null || this.ended || !this.resActive) return;
    const n = ab.byteLength;
    this.received += n;
    if (this.received > this.limit) {
      this.fail(new PayloadTooLargeError());
      return;
    }
    // uWS neuters the ArrayBuffer when onData returns: copy.
    if (n > 0) {
      this.queue.push(Buffer.copyBytesFrom(new Uint8Array(ab)));
      this.queued += n;
    }
    if (isLast) this.ended = true;
    else if (this.queued > HIGH_WATER && !this.paused && this.resActive) {
      this.paused = true;
      this.res.pause();
    }
    this.signal();
  }

  fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.queue.length = 0;
    this.head = 0;
    this.queued = 0;
    this.signal();
  }

  get failed(): Error | null {
    return this.failure;
  }

  private signal(): void {
    const wake = this.wake;
    if (wake !== null) {
      this.wake = null;
      wake();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.failure !== null) throw this.failure;
      if (this.head < this.queue.length) {
        const chunk = this.queue[this.head]!;
        this.queue[this.head++] = undefined as unknown as Buffer;
        if (this.head === this.queue.length) {
          this.queue.length = 0;
          this.head = 0;
        }
        this.queued -= chunk.length;
        if (this.paused && this.queued < LOW_WATER && this.resActive) {
          this.paused = false;
          this.res.resume();
        }
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

export function attachBodyReader(res: HttpResponse, limit: number): BodyReader {
  const reader = new BodyReader(res, limit);
  res.onData((chunk, isLast) => reader.push(chunk, isLast));
  return reader;
}
