// read_timeout as the gateway keeps it (src/proxy/read-timeouts.ts): a quiet upstream is cut, a slow but steady one,
// a slow client and a slow upload are not, and an idle worker keeps no timer armed.
import net from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import type { ThreadRuntime } from '../../src/pipeline/thread-runtime.js';
import {
  compileDocument,
  simpleDocument,
  startPlane,
  startUpstream,
  testRuntime,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const client = new Agent({ keepAliveTimeout: 1000 });
afterAll(() => client.close());

const READ_TIMEOUT = 300;

/** A plane in front of `upstream` with read_timeout READ_TIMEOUT, on a runtime the test can look into. */
async function planeFor(upstream: Upstream): Promise<{ running: RunningPlane; runtime: ThreadRuntime }> {
  const doc = simpleDocument(upstream.url, [{ name: 'r', paths: ['/'] }], { service: { read_timeout: READ_TIMEOUT } });
  const runtime = testRuntime(compileDocument(doc));
  const running = await startPlane(doc, { runtime });
  return {
    runtime,
    running: {
      ...running,
      close: async () => {
        await running.close();
        await runtime.close(1000);
      },
    },
  };
}

describe('read_timeout', () => {
  it('answers 504 when no response headers come within read_timeout, after the timeout and not long after', async () => {
    const held: Array<() => void> = [];
    const upstream = await startUpstream((_req, res) => held.push(() => res.end('late')));
    const { running, runtime } = await planeFor(upstream);
    try {
      const started = performance.now();
      const res = await request(`${running.origin}/quiet`, { dispatcher: client });
      const took = performance.now() - started;
      expect(res.statusCode).toBe(504);
      expect(await res.body.text()).toBe('{"message":"The upstream server is timing out"}');
      expect(took).toBeGreaterThanOrEqual(READ_TIMEOUT);
      expect(took).toBeLessThan(READ_TIMEOUT + 1500);
      await sleep(150);
      expect(runtime.readTimeouts.sweeping).toBe(false);
    } finally {
      for (const release of held) release();
      await running.close();
      await upstream.close();
    }
  });

  it('cuts a response whose body stops: the client gets the start, then the connection ends', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const upstream = await startUpstream((_req, res) => {
      res.on('close', () => upstreamClosed());
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
      res.write('first part');
    });
    const { running } = await planeFor(upstream);
    try {
      const res = await request(`${running.origin}/stalls`, { dispatcher: client });
      expect(res.statusCode).toBe(200);
      const started = performance.now();
      await expect(res.body.text()).rejects.toThrow();
      expect(performance.now() - started).toBeGreaterThanOrEqual(READ_TIMEOUT - 50);
      await closed; // the upstream exchange was aborted, not left open
    } finally {
      await running.close();
      await upstream.close();
    }
  });

  it('keeps a slow but steady body: a chunk every 100 ms for over a second', async () => {
    const upstream = await startUpstream(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      for (let i = 0; i < 12; i++) {
        res.write(`chunk ${i}\n`);
        await sleep(100);
      }
      res.end('done\n');
    });
    const { running } = await planeFor(upstream);
    try {
      const res = await request(`${running.origin}/steady`, { dispatcher: client });
      expect(res.statusCode).toBe(200);
      const text = await res.body.text();
      expect(text.startsWith('chunk 0\n')).toBe(true);
      expect(text.endsWith('chunk 11\ndone\n')).toBe(true);
    } finally {
      await running.close();
      await upstream.close();
    }
  });

  it('does not time the upstream while a slow client holds the response back', async () => {
    const size = 16 * 1024 * 1024;
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) });
      res.end(Buffer.alloc(size, 0x61));
    });
    const { running } = await planeFor(upstream);
    const socket = net.connect(running.port, '127.0.0.1');
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      socket.pause();
      socket.write('GET /big HTTP/1.1\r\nHost: a\r\n\r\n');
      await sleep(4 * READ_TIMEOUT); // buffers fill and the gateway pauses the upstream read
      let received = 0;
      let headEnd = -1;
      let head = '';
      const done = new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          if (headEnd < 0) {
            head += chunk.toString('latin1');
            headEnd = head.indexOf('\r\n\r\n');
            if (headEnd >= 0) received = Buffer.byteLength(head, 'latin1') - headEnd - 4;
          } else received += chunk.length;
          if (headEnd >= 0 && received >= size) resolve();
        });
        socket.once('close', () => reject(new Error(`connection closed after ${received} body bytes`)));
      });
      socket.resume();
      await done;
      expect(head.startsWith('HTTP/1.1 200')).toBe(true);
      expect(received).toBe(size);
    } finally {
      socket.destroy();
      await running.close();
      await upstream.close();
    }
  });

  it('does not time the upstream while a slow upload is still being sent', async () => {
    const upstream = await startUpstream(async (req, res) => {
      let length = 0;
      for await (const chunk of req) length += (chunk as Buffer).length;
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`got ${length}`);
    });
    const { running } = await planeFor(upstream);
    try {
      async function* slowBody() {
        for (let i = 0; i < 8; i++) {
          yield Buffer.alloc(1000, 0x62);
          await sleep(100);
        }
      }
      const res = await request(`${running.origin}/upload`, { method: 'POST', body: Readable.from(slowBody()), dispatcher: client });
      expect(res.statusCode).toBe(200);
      expect(await res.body.text()).toBe('got 8000');
    } finally {
      await running.close();
      await upstream.close();
    }
  });
});
