// Upstream reads through the gateway's pools: a 64 KiB body arrives with its head in one read, every size arrives intact,
// and a read buffer is read into again only once its chunk was released, never while a chunk in it is kept.
import { createHash, randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import type { CompiledService } from '../../../src/config/types.js';
import { createUpstreamPools, type UpstreamPools } from '../../../src/proxy/upstream-pools.js';
import { UPSTREAM_COPY_MAX, UPSTREAM_READ_BYTES } from '../../../src/proxy/upstream-reads.js';
import { service } from '../routing/helpers.js';
import { startRawUpstream, type RawUpstream } from '../../helpers/raw-upstream.js';

interface Received {
  status: number;
  chunks: number[];
  body: Buffer;
  /** The chunks as handed over (views of the read buffers). */
  views: Buffer[];
}

/**
 * GET `path` through `pool` with undici's core handler calls (as the gateway's stream handler), recording each chunk.
 * With `release`, each chunk is copied and then released, as the uWS writer's are; without, the chunks are kept as
 * handed over, and a later read must not write into them.
 */
function get(pool: Dispatcher, path: string, release?: (chunk: Buffer) => void): Promise<Received> {
  return new Promise((resolve, reject) => {
    const got: Received = { status: 0, chunks: [], body: Buffer.alloc(0), views: [] };
    const parts: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(status) {
        got.status = status;
        return true;
      },
      onData(chunk: Buffer) {
        got.chunks.push(chunk.length);
        got.views.push(chunk);
        parts.push(release === undefined ? chunk : Buffer.from(chunk));
        release?.(chunk);
        return true;
      },
      onComplete() {
        got.body = Buffer.concat(parts);
        resolve(got);
      },
      onError: reject,
    };
    pool.dispatch({ path, method: 'GET' }, handler);
  });
}

/**
 * A raw HTTP/1.1 upstream: each response (head and body) goes out in one socket write; the body for `/<n>` is
 * `bodies[n]`, for `/chunked/<n>` the same body in one chunk of chunked encoding.
 */
function rawUpstream(bodies: readonly Buffer[]): Promise<RawUpstream> {
  return startRawUpstream((socket, head) => {
    const path = head.split(' ')[1]!;
    const chunked = path.startsWith('/chunked/');
    const body = bodies[Number(path.slice(path.lastIndexOf('/') + 1))]!;
    const start = 'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n';
    const parts = chunked
      ? [`${start}Transfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n`, body, '\r\n0\r\n\r\n']
      : [`${start}Content-Length: ${body.length}\r\n\r\n`, body];
    socket.write(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));
  });
}

/** A plain-HTTP service on 127.0.0.1:port. */
function serviceAt(port: number): CompiledService {
  return { ...service(null, { port }), origin: `http://127.0.0.1:${port}` };
}

const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('upstream reads', () => {
  let pools: UpstreamPools | null = null;
  let upstream: { close(): Promise<void> } | null = null;
  afterEach(async () => {
    await pools?.close(1000);
    await upstream?.close();
    pools = null;
    upstream = null;
  });

  it('hands a 64 KiB body that arrived with its head to the handler as one chunk', async () => {
    const body = randomBytes(64 * 1024);
    const up = await rawUpstream([body]);
    upstream = up;
    pools = createUpstreamPools({ connections: 1 });
    const pool = pools.get(serviceAt(up.port));
    for (let i = 0; i < 5; i++) {
      const got = await get(pool, '/0');
      expect(got.status).toBe(200);
      expect(got.chunks).toEqual([64 * 1024]);
      expect(got.body.equals(body)).toBe(true);
    }
  });

  it('delivers bodies of every size byte-exact over one reused connection, around the copy and read-size limits', async () => {
    const sizes = [
      0,
      1,
      300,
      UPSTREAM_COPY_MAX - 100,
      UPSTREAM_COPY_MAX,
      UPSTREAM_COPY_MAX + 1,
      64 * 1024,
      UPSTREAM_READ_BYTES,
      300_000,
      2 * 1024 * 1024,
    ];
    const bodies = sizes.map((n) => randomBytes(n));
    const up = await rawUpstream(bodies);
    upstream = up;
    pools = createUpstreamPools({ connections: 1 });
    const pool = pools.get(serviceAt(up.port));
    // Sequential and interleaved: small responses reuse a read buffer that large ones handed over.
    const order = [...sizes.keys(), ...[...sizes.keys()].reverse(), 2, 6, 1, 8, 0, 9, 3, 7];
    for (const i of order) {
      const got = await get(pool, `/${i}`);
      expect(got.body.length).toBe(sizes[i]);
      expect(digest(got.body)).toBe(digest(bodies[i]!));
    }
    // Concurrent exchanges held across event-loop turns before they are read.
    const all = await Promise.all(order.map((i) => get(pool, `/${i}`).then((got) => ({ i, got }))));
    for (const { i, got } of all) expect(digest(got.body)).toBe(digest(bodies[i]!));
  });

  it('reads into a released buffer again: sequential 64 KiB responses use one or two read buffers', async () => {
    const bodies = Array.from({ length: 20 }, () => randomBytes(64 * 1024));
    const up = await rawUpstream(bodies);
    upstream = up;
    const p = createUpstreamPools({ connections: 1 });
    pools = p;
    const pool = p.get(serviceAt(up.port));
    const buffers = new Set<ArrayBufferLike>();
    for (let i = 0; i < bodies.length; i++) {
      const got = await get(pool, `/${i}`, (chunk) => p.releaseChunk(chunk));
      expect(got.chunks).toEqual([64 * 1024]);
      expect(digest(got.body)).toBe(digest(bodies[i]!));
      buffers.add(got.views[0]!.buffer);
    }
    expect(buffers.size).toBeLessThanOrEqual(2);
  });

  it('never reads into a buffer whose chunk is kept, nor one released with bytes after it, nor twice at once', async () => {
    const sizes = [64 * 1024, 64 * 1024, 40_000, 300_000, 64 * 1024, 2 * 1024 * 1024];
    const bodies = sizes.map((n) => randomBytes(n));
    const up = await rawUpstream(bodies);
    upstream = up;
    const p = createUpstreamPools({ connections: 4 });
    pools = p;
    const pool = p.get(serviceAt(up.port));
    // Released twice: the second release must not put the buffer on the free list again (two sockets reading into it).
    const release = (chunk: Buffer): void => {
      p.releaseChunk(chunk);
      p.releaseChunk(chunk);
    };
    // Kept: never released. Released later: a release of a chunk that is not the latest read's is ignored.
    const late = await get(pool, '/1');
    // A chunked body's chunk ends before its read does (the last chunk follows): released, but not taken back.
    const chunked = await get(pool, '/chunked/4', release);
    const kept: Array<{ i: number; got: Received }> = [];
    for (let round = 0; round < 3; round++) {
      const exchanges = [...sizes.keys(), ...sizes.keys()].map((i, n) =>
        get(pool, `/${i}`, n % 2 === 0 ? release : undefined).then((got) => ({ i, got, keep: n % 2 === 1 })),
      );
      for (const { i, got, keep } of await Promise.all(exchanges)) {
        expect(digest(got.body)).toBe(digest(bodies[i]!));
        if (keep) kept.push({ i, got });
      }
      release(late.views[0]!);
    }
    // The kept views still hold their bodies after every later read.
    for (const { i, got } of kept) expect(digest(Buffer.concat(got.views))).toBe(digest(bodies[i]!));
    expect(digest(Buffer.concat(late.views))).toBe(digest(bodies[1]!));
    expect(digest(chunked.views[0]!)).toBe(digest(bodies[4]!));
  });
});
