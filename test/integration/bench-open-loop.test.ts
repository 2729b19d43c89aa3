// The bench's open-loop loader: requests spread over time at the fixed rate (not in timer-tick bursts), latency counted from each request's due time.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from '../../bench/macro/open-loop.mjs';

const OK = Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
let server: net.Server | null = null;

/** A loopback HTTP/1.1 server answering every request after `delayMs`; `arrivals` holds each request's arrival (ms). */
async function startServer(delayMs = 0): Promise<{ url: string; arrivals: number[] }> {
  const arrivals: number[] = [];
  server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let pending = Promise.resolve();
    socket.on('data', () => {
      arrivals.push(performance.now());
      // One request at a time per connection: a delayed answer also delays the connection's next request.
      pending = pending.then(() => new Promise((done) => setTimeout(() => done(void socket.write(OK)), delayMs)));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, arrivals };
}

afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve));
  server = null;
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('the bench open-loop loader', () => {
  it('spreads requests evenly at the fixed rate instead of sending each millisecond’s requests together', async () => {
    const { url, arrivals } = await startServer();
    const r = await runOpenLoop({ url, path: '/', rate: 4000, durationS: 1, connections: 16 });
    expect(r.problems).toEqual([]);
    expect([r.sent, r.responses]).toEqual([4000, 4000]);
    // 4 requests per millisecond: a 1 ms timer tick sends them back to back (median gap ~0); spread, 0.25 ms apart.
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(median(gaps)).toBeGreaterThan(0.1);
    expect(r.sendLagP99).not.toBeNull();
  });

  it("counts a slow server's queueing from each request's due time (no coordinated omission)", async () => {
    // One connection, 20 ms per answer: 50 req/s served of 200 req/s sent, so the requests queue in the loader.
    const { url } = await startServer(20);
    const r = await runOpenLoop({ url, path: '/', rate: 200, durationS: 0.5, connections: 1 });
    expect(r.problems).toEqual([]);
    expect(r.responses).toBe(100);
    expect(r.maxQueued).toBeGreaterThan(50);
    // The last request fell due at 0.5 s and was answered near 2 s: its latency counts the wait for the connection.
    expect(r.p99).toBeGreaterThan(1000);
    expect(r.p50).toBeGreaterThan(500);
    // The loader's own lateness leaves out the requests that waited for the connection: it stays far below that wait.
    expect(r.sendLagP99 ?? 0).toBeLessThan(500);
  });
});
