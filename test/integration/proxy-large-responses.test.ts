// Concurrent 64 KiB and multi-MiB responses through the data plane arrive byte-exact at fast and slowly reading
// clients (the upstream read buffers are read into again once sent; one reused too early would corrupt another body).
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import {
  closeInOrder,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

/**
 * Body sizes by path index: one read with its head, just over one read, several reads; the last, for the slow
 * clients, more than the kernel's socket buffers hold, so the gateway's writes wait for the client.
 */
const SIZES = [64 * 1024, 64 * 1024, 70 * 1024, 300 * 1024, 12 * 1024 * 1024];
const STALLING = SIZES.length - 1;
const FAST_CLIENTS = 12;
const SLOW_CLIENTS = 4;

const bodies = SIZES.map((n) => randomBytes(n));
const digests = bodies.map((b) => createHash('sha256').update(b).digest('hex'));
const client = new Agent({ connections: FAST_CLIENTS + SLOW_CLIENTS });
let upstream: Upstream;
let gw: RunningPlane;

beforeAll(async () => {
  // Content-Length bodies in one write with their head (the gateway reads a 64 KiB one in one read); /chunked/ paths
  // in chunked encoding, one write per 16 KiB.
  upstream = await startUpstream((req, res) => {
    req.resume();
    const url = req.url ?? '/';
    const body = bodies[Number(url.slice(url.lastIndexOf('/') + 1))]!;
    if (url.includes('/chunked/')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let off = 0; off < body.length; off += 16 * 1024) res.write(body.subarray(off, off + 16 * 1024));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(body.length) });
    res.end(body);
  });
  // The loaded test process can miss undici's idle-socket deadline (the upstream's hinted 5 s less 2 s) by seconds, and a
  // request then meets the upstream closing that socket (a 502): not what this test is about.
  upstream.server.keepAliveTimeout = 60_000;
  gw = await startPlane(simpleDocument(upstream.url, [{ name: 'big', paths: ['/big'] }]));
});

afterAll(() => closeInOrder(gw, upstream, client));

/** GETs `/big/<i>` (or `/big/chunked/<i>`) and hashes the body; `pauseMs` > 0 reads it slowly (the gateway's writes wait). */
async function fetchBody(path: string, pauseMs: number): Promise<{ status: number; sha: string; bytes: number }> {
  try {
    return await readBody(path, pauseMs);
  } catch (error) {
    throw new Error(`GET ${path}${pauseMs > 0 ? ' (slowly)' : ''}: ${(error as Error).message}`);
  }
}

async function readBody(path: string, pauseMs: number): Promise<{ status: number; sha: string; bytes: number }> {
  // A connection per request (reset): a reused one can meet the gateway's 5 s keep-alive close when the loaded test
  // process lags past undici's idle deadline (a client-side ECONNRESET this test is not about).
  const res = await request(`${gw.origin}${path}`, { dispatcher: client, reset: true });
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    if (pauseMs > 0) await sleep(pauseMs);
  }
  return { status: res.statusCode, sha: hash.digest('hex'), bytes };
}

/**
 * GETs `path` on a raw connection that reads nothing for `pauseMs` (the kernel buffers fill and the gateway's writes
 * meet backpressure), then everything; a Content-Length response.
 */
function fetchStalled(path: string, pauseMs: number): Promise<{ status: number; sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(gw.port, '127.0.0.1');
    const hash = createHash('sha256');
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    let left = -1;
    let bytes = 0;
    socket.on('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: gw\r\n\r\n`);
      socket.pause();
      setTimeout(() => socket.resume(), pauseMs);
    });
    socket.on('data', (data: Buffer) => {
      let body = data;
      if (head !== null) {
        head = Buffer.concat([head, data]);
        const headEnd = head.indexOf('\r\n\r\n');
        if (headEnd === -1) return;
        const text = head.subarray(0, headEnd).toString('latin1');
        status = Number(text.slice(9, 12));
        left = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
        body = head.subarray(headEnd + 4);
        head = null;
      }
      hash.update(body);
      bytes += body.length;
      left -= body.length;
      if (left > 0) return;
      socket.destroy();
      resolve({ status, sha: hash.digest('hex'), bytes });
    });
    socket.on('error', (error) => reject(new Error(`stalled GET ${path}: ${error.message}`)));
  });
}

describe('large responses', () => {
  it('delivers concurrent distinct large bodies, sized and chunked, byte-exact to fast and slowly reading clients', async () => {
    const slow = Array.from({ length: SLOW_CLIENTS }, (_, n) => {
      // One reads a chunked body slowly; the others stall on the body larger than the socket buffers.
      const i = n === 1 ? STALLING - 1 : STALLING;
      const got = n === 1 ? fetchBody(`/big/chunked/${i}`, 3) : fetchStalled(`/big/${i}`, 300 * (n + 1));
      return got.then((result) => ({ i, got: result }));
    });
    const fast = Array.from({ length: FAST_CLIENTS }, async (_, n) => {
      const results: Array<{ i: number; got: Awaited<ReturnType<typeof fetchBody>> }> = [];
      for (let k = 0; k < 12; k++) {
        const i = (n + k) % STALLING;
        const path = (n + k) % 5 === 0 ? `/big/chunked/${i}` : `/big/${i}`;
        results.push({ i, got: await fetchBody(path, 0) });
      }
      return results;
    });
    const [slowResults, fastResults] = await Promise.all([Promise.all(slow), Promise.all(fast)]);
    const all = [...slowResults, ...fastResults.flat()];
    expect(all.length).toBe(SLOW_CLIENTS + FAST_CLIENTS * 12);
    for (const { i, got } of all) {
      expect(got.status).toBe(200);
      expect(got.bytes).toBe(SIZES[i]);
      expect(got.sha).toBe(digests[i]);
    }
  }, 60_000);
});
