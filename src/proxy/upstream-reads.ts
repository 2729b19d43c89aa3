// Reads a plain-HTTP upstream socket into buffers larger than Node's 64 KiB, so a 64 KiB body and its head arrive in one read, hands each read straight to undici's parser, and reads into a buffer again once its bytes are sent.
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

/**
 * What the direct path uses of undici's HTTP/1 parser, stored on each of its sockets under a symbol described 'parser'
 * (undici's lib/dispatcher/client-h1.js): `execute` parses bytes (and `unshift`s what it leaves when the response
 * handler pauses it, which sets `paused`), `ptr` is null once it is destroyed.
 */
interface UndiciParser {
  readonly paused: boolean;
  readonly ptr: unknown;
  execute(chunk: Buffer): void;
}

/** The key of undici's parser on `socket`, if it has one whose shape the direct path knows. */
function findParserKey(socket: Socket): symbol | null {
  for (const key of Object.getOwnPropertySymbols(socket)) {
    if (key.description !== 'parser') continue;
    const parser = (socket as unknown as Record<symbol, Partial<UndiciParser> | null>)[key];
    if (parser != null && typeof parser.execute === 'function' && typeof parser.paused === 'boolean' && 'ptr' in parser) {
      return key;
    }
  }
  return null;
}

/** net.connect's `onread` option, as undici passes its `connect` options on to net.connect. */
export interface UpstreamOnRead {
  readonly buffer: () => Buffer;
  readonly callback: (this: Socket, bytes: number, buffer: Buffer) => boolean;
  /**
   * `chunk`, a response body chunk, was sent or copied and nothing refers to it any more. When it ends the latest long
   * read, that read's buffer is read into again instead of a fresh one: no allocation per large response.
   */
  release(chunk: Buffer): void;
  /** Whether reads go straight to undici's parser (false until the first read, or when undici's shape is unknown). */
  readonly parsesDirectly: boolean;
}

/**
 * The `onread` option for the plain-HTTP upstream sockets of one set of pools.
 *
 * Each read goes straight into undici's parser (`execute`), as undici's own `readable` handler would pass it, when
 * nothing is queued before it: the socket has a live parser that is not paused and its readable side holds no bytes.
 * Otherwise it goes into the readable side (`push`), where undici reads it as before, in order, and a full readable
 * side stops reading exactly as Node's own reads do (push returns false). The push costs a buffered chunk, a
 * `readable` event from the nextTick queue and two `socket.read()` calls per read. No other parser runs while this
 * callback does: libuv calls it from its poll phase with no JavaScript below it (and `executing` refuses a nested
 * call). A parser paused by this read `unshift`s the rest into the readable side; later reads are pushed behind it and
 * undici's `resume` reads them. Reading continues after a direct read (true): Node's readable side thinks a read is
 * still under way (only a push ends it), so stopping here would never be undone by undici's `socket.read()`.
 *
 * Why a released buffer is free: a read is parsed before the next read of any socket (in this callback, or from the
 * nextTick queue, which Node runs after every read callback); `release` accepts only a chunk of the latest long read
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
  /** undici's parser key: undefined until the first read, null when its shape is unknown (every read is pushed). */
  let parserKey: symbol | null | undefined;
  let executing = false;

  /** Parses `chunk` now when nothing is queued before it; false when it must be pushed. */
  function parseNow(socket: Socket, chunk: Buffer): boolean {
    if (parserKey === undefined) parserKey = findParserKey(socket);
    if (parserKey === null || executing) return false;
    const parser = (socket as unknown as Record<symbol, UndiciParser | null | undefined>)[parserKey];
    if (parser == null || parser.paused || parser.ptr === null || socket.readableLength !== 0) return false;
    executing = true;
    try {
      parser.execute(chunk);
    } catch (error) {
      // undici's execute destroys the socket on a parse error itself; anything else must not reach libuv's callback.
      socket.destroy(error as Error);
    } finally {
      executing = false;
    }
    return true;
  }

  return {
    get parsesDirectly() {
      return parserKey != null;
    },
    buffer() {
      if (spare !== null) {
        const next = spare;
        spare = null;
        return next;
      }
      return free.pop() ?? Buffer.allocUnsafeSlow(UPSTREAM_READ_BYTES);
    },
    callback(bytes, buffer) {
      let chunk: Buffer;
      if (bytes <= UPSTREAM_COPY_MAX) {
        spare = buffer;
        chunk = Buffer.from(buffer.subarray(0, bytes));
      } else {
        spare = null; // handed over as it is: the next read gets a released or a fresh buffer
        lent = buffer; // before parsing: the body chunk may be released while it is parsed
        lentBytes = bytes;
        chunk = buffer.subarray(0, bytes);
      }
      return parseNow(this, chunk) || this.push(chunk);
    },
    release(chunk) {
      const buffer = lent;
      if (buffer === null || chunk.buffer !== buffer.buffer || chunk.byteOffset + chunk.length !== buffer.byteOffset + lentBytes) return;
      lent = null;
      if (free.length < FREE_MAX && !HEADERS_CHANNEL.hasSubscribers && !BODY_CHANNEL.hasSubscribers) free.push(buffer);
    },
  };
}
