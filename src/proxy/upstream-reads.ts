// Reads a plain-HTTP upstream socket into buffers larger than Node's 64 KiB, so a 64 KiB body and its head arrive in one read, and reads into them again once their bytes are sent.
import { channel } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * Bytes one read may take: 64 KiB of body and 4 KiB for the head before it. Node reads a socket 64 KiB at a time, so
 * a 64 KiB body behind its head took two reads, two parser runs and two client writes. Measured: 128 KiB buffers
 * cost more than the saved calls (a fresh buffer is allocated for every large read).
 */
export const UPSTREAM_READ_BYTES = 68 * 1024;
/**
 * A read at most this long is copied out and its buffer read into again; a longer one is handed over as it is (a
 * view, no copy), and its buffer is read into again only once released (`release`).
 */
export const UPSTREAM_COPY_MAX = 16 * 1024;
/** Released buffers kept for the next reads. A release and a read alternate, so one or two are in use. */
const FREE_MAX = 4;

/**
 * undici publishes response heads and body chunks (views of the read buffer) on these channels: a subscriber may keep
 * them, so while one listens no buffer is read into again.
 */
const HEADERS_CHANNEL = channel('undici:request:headers');
const BODY_CHANNEL = channel('undici:request:bodyChunkReceived');

/** net.connect's `onread` option, as undici passes its `connect` options on to net.connect. */
export interface UpstreamOnRead {
  readonly buffer: () => Buffer;
  readonly callback: (this: Socket, bytes: number, buffer: Buffer) => boolean;
  /**
   * `chunk`, a response body chunk, was sent or copied and nothing refers to it any more. When it ends the latest long
   * read, that read's buffer is read into again instead of a fresh one: no allocation per large response.
   */
  release(chunk: Buffer): void;
}

/**
 * The `onread` option for the plain-HTTP upstream sockets of one set of pools. The bytes go into the socket's readable
 * side (`push`), where undici reads them as before, and a full readable side stops reading exactly as Node's own reads
 * do (push returns false).
 *
 * Why a released buffer is free: Node runs the nextTick queue after every read callback, so undici parses a read
 * (the `readable` event) before the next read of any socket; `release` accepts only a chunk of the latest long read
 * that ends where the read ended, so no unparsed byte of it is left (nothing waits in the socket for a paused parser,
 * and no response head is half-parsed), and the head before the body was written out with the first body chunk. A
 * chunk that met backpressure is never released (the writer keeps it).
 */
export function createUpstreamOnRead(): UpstreamOnRead {
  /**
   * The buffer the last read left for reuse (its bytes were copied out), taken by the next `buffer()` call. Node calls
   * `callback` on the socket after a read and then `buffer()` (without the socket) for that socket's next read, both
   * in the same synchronous step of one thread, so one slot hands the buffer over.
   */
  let spare: Buffer | null = null;
  /** Released buffers, read into before any fresh one. */
  const free: Buffer[] = [];
  /** The latest long read handed over as it is, and its length; null once released. */
  let lent: Buffer | null = null;
  let lentBytes = 0;
  return {
    buffer() {
      if (spare !== null) {
        const next = spare;
        spare = null;
        return next;
      }
      return free.pop() ?? Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);
    },
    callback(bytes, buffer) {
      if (bytes <= UPSTREAM_COPY_MAX) {
        spare = buffer;
        return this.push(Buffer.from(buffer.subarray(0, bytes)));
      }
      spare = null; // handed over as it is: the next read gets a released or a fresh buffer
      lent = buffer;
      lentBytes = bytes;
      return this.push(buffer.subarray(0, bytes));
    },
    release(chunk) {
      const buffer = lent;
      if (buffer === null || chunk.buffer !== buffer.buffer || chunk.byteOffset + chunk.length !== buffer.byteOffset + lentBytes) return;
      lent = null;
      if (free.length < FREE_MAX && !HEADERS_CHANNEL.hasSubscribers && !BODY_CHANNEL.hasSubscribers) free.push(buffer);
    },
  };
}
