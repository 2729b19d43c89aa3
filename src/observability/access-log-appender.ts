// A small asynchronous line appender for the access log: batches lines in memory, bounded, one fs.write at a time.
import { close, closeSync, openSync, write, writeSync } from 'node:fs';

export interface Appender {
  /** Queues one line; drops it (and counts it) when the pending bytes would pass the bound. */
  write(line: string): void;
  readonly dropped: number;
  /** Re-opens a file target (after logrotate moved it); no-op for stdout. */
  reopen(): void;
  /** Writes what is pending now; resolves once nothing is pending or in flight. */
  drain(): Promise<void>;
  /** Waits for the write in flight, writes what is pending and closes the file. */
  close(): Promise<void>;
}

export interface AppenderOptions {
  /** Pending bytes beyond which lines are dropped. */
  maxPendingBytes: number;
  /** Pending bytes that trigger a write at once; smaller amounts wait for the flush timer. */
  minWriteBytes: number;
  /** How long a line may wait before it is written, ms. */
  flushIntervalMs: number;
}

const RETRY_MS = 10;

/**
 * Measured before writing this: sonic-boom (pino.destination) re-measures its whole pending chunk with
 * Buffer.byteLength on every write in string mode, and copies each line into its own Buffer in buffer mode:
 * several µs per line, most of the access log's budget. Here a line is one string concatenation.
 */
export function createAppender(target: 'stdout' | string, options: AppenderOptions): Appender {
  const isStdout = target === 'stdout';
  // Opened synchronously so that an unwritable path fails the worker's start with its error.
  let fd = isStdout ? 1 : openSync(target, 'a');
  let pending = '';
  // Counted in UTF-16 units: exact for the ASCII that makes up almost every line, and a fine bound otherwise.
  let pendingLength = 0;
  let writing = false;
  let dropped = 0;
  let closed = false;
  let idle: Array<() => void> = [];

  function flush(): void {
    if (writing || pendingLength === 0 || closed) return;
    writing = true;
    const buf = Buffer.from(pending, 'utf8');
    pending = '';
    pendingLength = 0;
    writeOut(buf, 0);
  }

  function writeOut(buf: Buffer, offset: number): void {
    write(fd, buf, offset, buf.length - offset, null, (err, n) => {
      if (err) {
        // A non-blocking stdout pipe that is full: try again shortly; anything else loses this batch only.
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => writeOut(buf, offset), RETRY_MS).unref();
          return;
        }
        dropped += countLines(buf, offset);
      } else if (offset + n < buf.length) {
        writeOut(buf, offset + n);
        return;
      }
      writing = false;
      if (idle.length > 0) {
        const waiting = idle;
        idle = [];
        for (const resolve of waiting) resolve();
      } else if (pendingLength >= options.minWriteBytes) flush();
    });
  }

  const timer = setInterval(flush, options.flushIntervalMs);
  timer.unref();

  return {
    get dropped() {
      return dropped;
    },
    write(line) {
      if (pendingLength + line.length > options.maxPendingBytes) {
        dropped++;
        return;
      }
      pending += line;
      pendingLength += line.length;
      if (pendingLength >= options.minWriteBytes) flush();
    },
    async drain() {
      while (!closed && (writing || pendingLength > 0)) {
        flush();
        await new Promise<void>((resolve) => idle.push(resolve));
      }
    },
    reopen() {
      if (isStdout || closed) return;
      const old = fd;
      fd = openSync(target, 'a');
      // An fs.write in flight still holds the old descriptor; close it once that write is over.
      setTimeout(() => close(old, () => undefined), 1000).unref();
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      while (writing) await new Promise<void>((resolve) => idle.push(resolve));
      try {
        if (pendingLength > 0) writeSync(fd, pending);
      } catch {
        // Nothing more can be done for these lines at shutdown.
      }
      pending = '';
      if (!isStdout) closeSync(fd);
    },
  };
}

function countLines(buf: Buffer, offset: number): number {
  let n = 0;
  for (let i = buf.indexOf(10, offset); i !== -1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
