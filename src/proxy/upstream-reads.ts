// Reads a plain-HTTP upstream socket into buffers larger than Node's 64 KiB, so a 64 KiB body and its head arrive in one read.
import type { Socket } from 'node:net';

/**
 * Bytes one read may take: 64 KiB of body and 4 KiB for the head before it. Node reads a socket 64 KiB at a time, so
 * a 64 KiB body behind its head took two reads, two parser runs and two client writes. Measured: 128 KiB buffers
 * cost more than the saved calls (a fresh buffer is allocated for every large read).
 */
export const UPSTREAM_READ_BYTES = 68 * 1024;
/**
 * A read at most this long is copied out and its buffer read into again; a longer one is handed over as it is (a
 * view, no copy) and the next read gets a fresh buffer. A small read then holds a few pooled bytes instead of a
 * whole buffer until the next garbage collection.
 */
export const UPSTREAM_COPY_MAX = 16 * 1024;

/** net.connect's `onread` option, as undici passes its `connect` options on to net.connect. */
export interface UpstreamOnRead {
  readonly buffer: () => Buffer;
  readonly callback: (this: Socket, bytes: number, buffer: Buffer) => boolean;
}

/**
 * The `onread` option for the plain-HTTP upstream sockets of one set of pools. The bytes go into the socket's readable
 * side (`push`), where undici reads them as before, and a full readable side stops reading exactly as Node's own reads
 * do (push returns false).
 */
export function createUpstreamOnRead(): UpstreamOnRead {
  /**
   * The buffer the last read left for reuse (its bytes were copied out), taken by the next `buffer()` call. Node calls
   * `callback` on the socket after a read and then `buffer()` (without the socket) for that socket's next read, both
   * in the same synchronous step of one thread, so one slot hands the buffer over.
   */
  let spare: Buffer | null = null;
  return {
    buffer() {
      const next = spare ?? Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);
      spare = null;
      return next;
    },
    callback(bytes, buffer) {
      if (bytes <= UPSTREAM_COPY_MAX) {
        spare = buffer;
        return this.push(Buffer.from(buffer.subarray(0, bytes)));
      }
      spare = null; // handed over as it is: the next read gets a fresh buffer
      return this.push(buffer.subarray(0, bytes));
    },
  };
}
