// Upstream reads parsed in the read callback: responses split across many reads, a handler that pauses undici's parser,
// close-delimited and malformed responses, and unsolicited bytes on an idle keep-alive socket, each as undici handles them.
import { createHash, randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Pool, type Dispatcher } from 'undici';
import { createUpstreamOnRead, type UpstreamOnRead } from '../../src/proxy/upstream-reads.js';
import { startRawUpstream, type RawUpstream } from '../helpers/raw-upstream.js';

interface Exchange {
  status: number;
  body: Buffer;
  /** How many of the handler's calls ran inside a read callback (parsed directly, not from the readable side). */
  inRead: number;
  calls: number;
}

/** Writes `bytes` in pieces of `size`, each in its own write after the previous one left (separate reads). */
async function writeInPieces(socket: Socket, bytes: Buffer, size: number): Promise<void> {
  for (let at = 0; at < bytes.length; at += size) {
    socket.write(bytes.subarray(at, at + size));
    await sleep(1);
  }
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const head = (extra: string): Buffer => Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n${extra}\r\n`);

describe('upstream reads parsed in the read callback', () => {
  let pool: Pool | null = null;
  let upstream: RawUpstream | null = null;
  let inRead = false;
  afterEach(async () => {
    await pool?.destroy();
    await upstream?.close();
    pool = null;
    upstream = null;
  });

  /** A pool on `port` with the gateway's read option, its callback marked so a handler can tell where it runs. */
  function poolAt(port: number, onread: UpstreamOnRead): Pool {
    const marked = {
      buffer: onread.buffer,
      callback(this: Socket, bytes: number, buffer: Buffer): boolean {
        inRead = true;
        try {
          return onread.callback.call(this, bytes, buffer);
        } finally {
          inRead = false;
        }
      },
    };
    pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1, connect: { onread: marked } as never });
    return pool;
  }

  /** GET `path`; with `pauseMs`, every body chunk pauses the parser and resumes it that many milliseconds later. */
  function get(target: Dispatcher, path: string, pauseMs?: number): Promise<Exchange> {
    return new Promise((resolve, reject) => {
      const got: Exchange = { status: 0, body: Buffer.alloc(0), inRead: 0, calls: 0 };
      const parts: Buffer[] = [];
      let resume: () => void = () => undefined;
      const count = (): void => {
        got.calls++;
        if (inRead) got.inRead++;
      };
      target.dispatch(
        { path, method: 'GET' },
        {
          onConnect() {},
          onHeaders(status: number, _headers: Buffer[], resumeParser: () => void) {
            count();
            got.status = status;
            resume = resumeParser;
            return true;
          },
          onData(chunk: Buffer) {
            count();
            parts.push(Buffer.from(chunk));
            if (pauseMs === undefined) return true;
            setTimeout(resume, pauseMs);
            return false;
          },
          onComplete() {
            got.body = Buffer.concat(parts);
            resolve(got);
          },
          onError: reject,
        },
      );
    });
  }

  it('hands each read to the parser inside its read callback', async () => {
    const body = randomBytes(300);
    const up = await startRawUpstream((socket) => void socket.write(Buffer.concat([head(`Content-Length: ${body.length}\r\n`), body])));
    upstream = up;
    const onread = createUpstreamOnRead();
    const p = poolAt(up.port, onread);
    for (let i = 0; i < 3; i++) {
      const got = await get(p, '/');
      expect(got.body.equals(body)).toBe(true);
      expect(got.inRead).toBe(got.calls);
    }
    expect(onread.parsesDirectly).toBe(true);
  });

  it('delivers a response split across many small reads byte-exact, sized and chunked', async () => {
    const body = randomBytes(20_000);
    const chunked = Buffer.concat([
      head('Transfer-Encoding: chunked\r\n'),
      Buffer.from(`${(7000).toString(16)}\r\n`),
      body.subarray(0, 7000),
      Buffer.from(`\r\n${(13_000).toString(16)}\r\n`),
      body.subarray(7000),
      Buffer.from('\r\n0\r\n\r\n'),
    ]);
    const sized = Buffer.concat([head(`Content-Length: ${body.length}\r\n`), body]);
    const up = await startRawUpstream((socket, _head, n) => writeInPieces(socket, n % 2 === 0 ? sized : chunked, n < 2 ? 211 : 997));
    upstream = up;
    const p = poolAt(up.port, createUpstreamOnRead());
    for (let i = 0; i < 4; i++) {
      const got = await get(p, '/');
      expect(got.status).toBe(200);
      expect(digest(got.body)).toBe(digest(body));
    }
    expect(up.connections()).toBe(1);
  });

  it('keeps order when the handler pauses the parser: bytes read meanwhile are queued and parsed after resume', async () => {
    const bodies = [randomBytes(3 * 1024 * 1024), randomBytes(100_000), randomBytes(70_000)];
    const up = await startRawUpstream((socket, _head, n) => {
      const body = bodies[n % bodies.length]!;
      // The big body leaves in one write (reads larger than the copy limit), the others in pieces.
      const response = Buffer.concat([head(`Content-Length: ${body.length}\r\n`), body]);
      return n % bodies.length === 0 ? void socket.write(response) : writeInPieces(socket, response, 4096);
    });
    upstream = up;
    const p = poolAt(up.port, createUpstreamOnRead());
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < bodies.length; i++) {
        const got = await get(p, '/', i === 1 ? 0 : 1);
        expect(digest(got.body)).toBe(digest(bodies[i]!));
      }
    }
    // An unpaused exchange after paused ones is parsed directly again.
    const body = bodies[0]!;
    const after = await get(p, '/');
    expect(digest(after.body)).toBe(digest(body));
    expect(after.inRead).toBeGreaterThan(0);
    expect(up.connections()).toBe(1);
  });

  it('completes a close-delimited body at end of stream and fails one cut short of its length', async () => {
    const body = randomBytes(50_000);
    const up = await startRawUpstream(async (socket, _head, n) => {
      if (n === 0) {
        await writeInPieces(socket, Buffer.concat([head('Connection: close\r\n'), body]), 9000);
        socket.end();
      } else {
        socket.write(Buffer.concat([head(`Content-Length: ${body.length + 10}\r\n`), body]));
        await sleep(5);
        socket.end();
      }
    });
    upstream = up;
    const p = poolAt(up.port, createUpstreamOnRead());
    const got = await get(p, '/');
    expect(digest(got.body)).toBe(digest(body));
    await expect(get(p, '/')).rejects.toThrow();
  });

  it('fails a malformed response as undici does, with nothing thrown out of the read callback', async () => {
    const up = await startRawUpstream(
      (socket, _head, n) =>
        void socket.write(n === 0 ? 'HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    );
    upstream = up;
    const p = poolAt(up.port, createUpstreamOnRead());
    await expect(get(p, '/')).rejects.toMatchObject({ name: 'HTTPParserError' });
    const got = await get(p, '/');
    expect(got.body.toString()).toBe('ok');
    expect(up.connections()).toBe(2);
  });

  it('rejects unsolicited bytes on an idle keep-alive socket: the next request goes out on a new connection', async () => {
    const up = await startRawUpstream(async (socket, _head, n) => {
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nreply${n}`);
      if (n !== 0) return;
      await sleep(20);
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged');
    });
    upstream = up;
    const p = poolAt(up.port, createUpstreamOnRead());
    expect((await get(p, '/')).body.toString()).toBe('reply0');
    await sleep(60);
    expect((await get(p, '/')).body.toString()).toBe('reply1');
    expect(up.connections()).toBe(2);
  });
});
