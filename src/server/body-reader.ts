// Streams a request body out of uWS onData as an async iterable, pausing the client socket when the consumer lags.
import { getDefaultHighWaterMark } from 'node:stream';
import type { HttpResponse } from './uws-loader.js';
import { ClientAbortedError, PayloadTooLargeError } from '../portcullis-error.js';

const HIGH_WATER = 256 * 1024;
const LOW_WATER = 64 * 1024;

// Body chunks are copies (uWS reuses its receive buffer). A fresh 512 KiB ArrayBuffer per chunk made V8 run a
// full GC every ~50 ms under upload load (external-memory pressure), so big chunks are copied into recycled slabs.
// A slab goes back to the pool when the consumer asks for the next chunk: undici's iterable body writer calls
// socket.write(chunk) and, when that returns false, awaits 'drain' (bytes handed to the kernel) or 'close' before
// it asks again. write() returns false whenever the chunk alone reaches the socket's high-water mark, hence
// RECYCLE_MIN; smaller chunks get their own buffer and are never reused.
const SLAB_BYTES = 512 * 1024;
const RECYCLE_MIN = Math.max(64 * 1024, getDefaultHighWaterMark(false));
const POOL_MAX = 16;
/** Marks a queued chunk that has no slab to give back. */
const NO_SLAB = Buffer.alloc(0);

/** Recycled body slabs of one engine (its writers share it; no pool is shared between engines or threads). */
export class SlabPool {
  private readonly free: Buffer[] = [];

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
  }

  release(slab: Buffer): void {
    if (slab !== NO_SLAB && this.free.length < POOL_MAX) this.free.push(slab);
  }
}

/** Told of every body byte that arrives once the reader discards (a refused request's body). */
export interface DiscardSink {
  onDiscarded(bytes: number, isLast: boolean): void;
}

/**
 * Register with `attachBodyReader` inside the uWS handler (uWS drops body bytes that arrive with no
 * onData handler). Bytes queue until consumed; above HIGH_WATER the client socket is paused.
 */
export class BodyReader implements AsyncIterable<Buffer> {
  received = 0;
  ended = false;
  private failure: Error | null = null;
  private readonly queue: Buffer[] = [];
  /** The slab behind each queued chunk (NO_SLAB when it has its own buffer). */
  private readonly slabs: Buffer[] = [];
  private head = 0;
  private queued = 0;
  private paused = false;
  /** Set while the consumer waits for bytes. */
  private wake: (() => void) | null = null;
  /** false once the response ended: pause/resume on a finished uWS response throws. */
  resActive = true;
  /** Set once the body is being discarded: bytes go nowhere, the sink counts them. */
  private discardSink: DiscardSink | null = null;

  constructor(
    private readonly res: HttpResponse,
    private readonly limit: number,
    readonly declared: number,
    private readonly pool: SlabPool,
  ) {}

  /** Body bytes still to come: -1 when the length was not declared (chunked). */
  remaining(): number {
    return this.declared < 0 ? -1 : Math.max(0, this.declared - this.received);
  }

  /**
   * Stops queueing: what is queued is dropped, a paused socket resumes, and every later chunk is only counted
   * (uWS keeps calling onData after the response ended, so this also serves a lingering close).
   */
  discard(sink: DiscardSink): void {
    this.discardSink = sink;
    this.fail(new ClientAbortedError());
    if (this.paused && this.resActive) {
      this.paused = false;
      this.res.resume();
    }
  }

  push(ab: ArrayBuffer, isLast: boolean): void {
    const sink = this.discardSink;
    if (sink !== null) {
      this.received += ab.byteLength;
      if (isLast) this.ended = true;
      sink.onDiscarded(ab.byteLength, isLast);
      return;
    }
    // After the response is over nobody consumes: drop the rest instead of queueing it.
    if (this.failure !== null || this.ended || !this.resActive) return;
    const n = ab.byteLength;
    this.received += n;
    if (this.received > this.limit) {
      this.fail(new PayloadTooLargeError());
      return;
    }
    // uWS neuters the ArrayBuffer when onData returns: copy (allocUnsafe: no zero-fill before the copy).
    if (n > 0) {
      if (n >= RECYCLE_MIN && n <= SLAB_BYTES) {
        const slab = this.pool.take();
        slab.set(new Uint8Array(ab));
        this.queue.push(slab.subarray(0, n));
        this.slabs.push(slab);
      } else {
        const copy = Buffer.allocUnsafe(n);
        copy.set(new Uint8Array(ab));
        this.queue.push(copy);
        this.slabs.push(NO_SLAB);
      }
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
    // Queued chunks were never handed out: their slabs can go back at once.
    for (let i = this.head; i < this.slabs.length; i++) this.pool.release(this.slabs[i]!);
    this.queue.length = 0;
    this.slabs.length = 0;
    this.head = 0;
    this.queued = 0;
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
    for (;;) {
      if (this.failure !== null) throw this.failure;
      if (this.head < this.queue.length) {
        const chunk = this.queue[this.head]!;
        const slab = this.slabs[this.head]!;
        this.queue[this.head] = undefined as unknown as Buffer;
        this.slabs[this.head++] = NO_SLAB;
        if (this.head === this.queue.length) {
          this.queue.length = 0;
          this.slabs.length = 0;
          this.head = 0;
        }
        this.queued -= chunk.length;
        if (this.paused && this.queued < LOW_WATER && this.resActive) {
          this.paused = false;
          this.res.resume();
        }
        yield chunk;
        // Resumed by the consumer's next(): the chunk has been written (see RECYCLE_MIN).
        this.pool.release(slab);
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

/** `declared`: the Content-Length, -1 for a chunked body. */
export function attachBodyReader(res: HttpResponse, limit: number, declared: number, pool: SlabPool): BodyReader {
  const reader = new BodyReader(res, limit, declared, pool);
  res.onData((chunk, isLast) => reader.push(chunk, isLast));
  return reader;
}
