// Upstream reads through the gateway's pools: a 64 KiB body arrives with its head in one read, and every size arrives intact.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dispatcher } from 'undici';
import type { CompiledService } from '../../../src/config/types.js';
import { createUpstreamPools, type UpstreamPools } from '../../../src/proxy/upstream-pools.js';
import { UPSTREAM_COPY_MAX, UPSTREAM_READ_BYTES } from '../../../src/proxy/upstream-reads.js';
import { service } from '../routing/helpers.js';

interface Received {
  status: number;
  chunks: number[];
  body: Buffer;
}

/** GET `path` through `pool` with undici's core handler calls (as the gateway's stream handler), recording each chunk. */
function get(pool: Dispatcher, path: string): Promise<Received> {
  return new Promise((resolve, reject) => {
    const got: Received = { status: 0, chunks: [], body: Buffer.alloc(0) };
    const parts: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onConnect() {},
      onHeaders(status) {
        got.status = status;
        return true;
      },
      onData(chunk: Buffer) {
        got.chunks.push(chunk.length);
        parts.push(chunk); // kept as handed over: a later read must not write into it
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

/** A raw HTTP/1.1 upstream: each response (head and body) goes out in one socket write; the body for `/<n>` is `bodies[n]`. */
async function rawUpstream(bodies: readonly Buffer[]): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const path = pending.slice(0, end).split(' ')[1]!;
        pending = pending.slice(end + 4);
        const body = bodies[Number(path.slice(1))]!;
        const head = `HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${body.length}\r\n\r\n`;
        socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
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
});
