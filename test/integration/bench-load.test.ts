import path from 'node:path';
import os from 'node:os';
import fs from 'node:fs';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startServer, stopProcess } from '../../bench/macro/procs.mjs';
import { requestOptions, runLoad } from '../../bench/macro/load.mjs';
import { createCredentials } from '../../bench/macro/tokens.mjs';
import { buildTokenSets, SCENARIOS } from '../../bench/macro/scenarios.mjs';
import { preflight } from '../../bench/macro/preflight.mjs';
import { runPairs } from '../../bench/macro/paired.mjs';
import { http1Load, runWrk, wrkMissing } from '../../bench/macro/wrk.mjs';

const MACRO = path.resolve(__dirname, '../../bench/macro');
const REPO = path.resolve(__dirname, '../..');
const scenario = (id: string) => SCENARIOS.find((s) => s.id === id)!;
/** `node bench/run.mjs <args> --quick --no-write` as a user runs it (`args` space-separated); its stdout. */
async function quickBench(args: string): Promise<string> {
  const argv = ['bench/run.mjs', ...args.split(' '), '--quick', '--no-write'];
  const run = await promisify(execFile)(process.execPath, argv, { cwd: REPO, timeout: 90_000 });
  return run.stdout;
}
const creds = createCredentials();
const tokens = buildTokenSets(creds, 50);
const uploadBody = Buffer.alloc(1024 * 1024);
let dir: string;
let upstream: { child: ChildProcess; port: number };
let peer: { child: ChildProcess; port: number };

function alive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
  upstream = await startServer({
    name: 'upstream',
    argv: [process.execPath, path.join(MACRO, 'upstream.mjs')],
    logPath: path.join(dir, 'up.log'),
  });
  const cfg = {
    upstream: `http://127.0.0.1:${upstream.port}`,
    hsKey: creds.hs.key,
    hsSecret: creds.hs.secret,
    rsKey: creds.rs.key,
    rsPublicPem: creds.rs.publicPem,
  };
  peer = await startServer({
    name: 'peer',
    argv: [process.execPath, path.join(MACRO, 'peer.mjs'), JSON.stringify(cfg)],
    logPath: path.join(dir, 'peer.log'),
  });
});

afterAll(async () => {
  await stopProcess(peer?.child);
  await stopProcess(upstream?.child);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bench load runs against real servers', () => {
  it('counts every response and passes when all have the expected status', async () => {
    const r = await runLoad({
      url: `http://127.0.0.1:${peer.port}`,
      scenario: scenario('hs256-10k'),
      tokens: tokens.hsMany,
      amount: 200,
      connections: 4,
      pid: peer.child.pid,
    });
    expect(r.ok).toBe(true);
    expect(r.statuses).toEqual({ 200: r.responses });
    expect(r.responses).toBeGreaterThanOrEqual(200);
    expect(r.cpuS).not.toBeNull();
  });

  it('sends every token of a rotating set from prebuilt requests, each connection cycling its own share', async () => {
    const seen = new Map<string, number>();
    const perSocket = new Map<unknown, Set<string>>();
    const server = http.createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      seen.set(auth, (seen.get(auth) ?? 0) + 1);
      if (!perSocket.has(req.socket)) perSocket.set(req.socket, new Set());
      perSocket.get(req.socket)!.add(auth);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const set = tokens.hsMany.slice(0, 20);
      const opts = requestOptions(scenario('hs256-10k'), set, undefined, 4);
      // No per-request hook: autocannon encodes requests without setupRequest once and cycles them.
      expect(opts.requests).toBeUndefined();
      expect(typeof opts.setupClient).toBe('function');
      const r = await runLoad({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        scenario: { ...scenario('hs256-10k'), expect: 200 },
        tokens: set,
        amount: 200,
        connections: 4,
      });
      expect(r.ok).toBe(true);
      expect([...seen.keys()].sort()).toEqual(set.map((t) => `Bearer ${t}`).sort());
      // Each connection sends its own 5 tokens, about equally often.
      for (const share of perSocket.values()) expect(share.size).toBe(5);
      for (const count of seen.values()) expect(count).toBeGreaterThanOrEqual(8);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reports a run with unexpected statuses as failed', async () => {
    const wrong = { ...scenario('passthrough'), path: '/nowhere' };
    const r = await runLoad({ url: `http://127.0.0.1:${peer.port}`, scenario: wrong, amount: 50, connections: 2 });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/unexpected statuses: 404×/);
  });

  it('gets 401 for every bad-signature token from the peer, and 200 for RS256 tokens', async () => {
    const bad = await runLoad({
      url: `http://127.0.0.1:${peer.port}`,
      scenario: scenario('bad-sig'),
      tokens: tokens.badMany,
      amount: 100,
      connections: 4,
    });
    expect(bad.ok).toBe(true);
    expect(Object.keys(bad.statuses)).toEqual(['401']);
    const rs = await runLoad({
      url: `http://127.0.0.1:${peer.port}`,
      scenario: scenario('rs256-10k'),
      tokens: tokens.rsMany,
      amount: 100,
      connections: 4,
    });
    expect(rs.ok).toBe(true);
  });

  it('preflight checks the 64 KiB body and that the whole upload reached the upstream', async () => {
    const url = `http://127.0.0.1:${peer.port}`;
    expect(await preflight({ url, scenario: scenario('resp-64k'), uploadBody })).toBeNull();
    expect(await preflight({ url, scenario: scenario('upload-1m'), uploadBody })).toBeNull();
    expect(await preflight({ url, scenario: scenario('hs256-one'), tokens: tokens.badMany, uploadBody })).toMatch(/got 401/);
  });

  it('measures paired ratios from alternating windows on two real servers, each from its own CPU', async () => {
    const window = (port: number, pid: number) => () =>
      runLoad({ url: `http://127.0.0.1:${port}`, scenario: scenario('passthrough'), durationS: 0.3, connections: 4, pid });
    const r = await runPairs({ a: window(upstream.port, upstream.child.pid!), b: window(peer.port, peer.child.pid!), pairs: 2 });
    expect(r.ok).toBe(true);
    expect(r.pairs.map((p) => p.order)).toEqual(['AB', 'BA']);
    for (const p of r.pairs) expect(p.ratio).toBeCloseTo(p.b! / p.a!);
    expect(r.n).toBe(2);
    // The fastify peer proxies to the uWS upstream: it does less per CPU-second than the upstream alone.
    expect(r.median).toBeLessThan(1);
  });

  it('runs the A/B mode end to end: two gateways, B ÷ A per scenario with its interval', async () => {
    const stdout = await quickBench('--ab portcullis portcullis-log --scenarios passthrough --pairs 2 --window 0.4');
    const row = stdout.split('\n').find((l) => l.startsWith('| passthrough |'));
    expect(row).toMatch(/^\| passthrough \| \d+\.\d\d× \| \d+\.\d\d – \d+\.\d\d \(50%\) \|/);
    expect(stdout).toContain('A: `portcullis` · B: `portcullis-log`');
  }, 120_000);

  it("runs the A/B mode at a fixed rate: open-loop windows, each side's CPU per request and p99, token scenarios n/a", async () => {
    const stdout = await quickBench('--ab portcullis portcullis --rate 400 --scenarios passthrough,hs256-one --pairs 2 --window 0.5');
    expect(stdout).toContain('open loop at 400 req/s');
    const row = stdout.split('\n').find((l) => l.startsWith('| passthrough |'));
    expect(row).toMatch(/^\| passthrough \| \d+\.\d\d× \|.*\| \d+ µs \| \d+ µs \| [\d.]+ ms \| [\d.]+ ms \|/);
    expect(stdout).toContain('| hs256-one | n/a: the open-loop loader sends plain GETs to the proxy listener only |');
  }, 120_000);

  it('leaves no process behind after stopProcess', async () => {
    const extra = await startServer({
      name: 'extra',
      argv: [process.execPath, path.join(MACRO, 'upstream.mjs')],
      logPath: path.join(dir, 'extra.log'),
    });
    const pid = extra.child.pid!;
    expect(alive(pid)).toBe(true);
    await stopProcess(extra.child);
    expect(alive(pid)).toBe(false);
  });
});

/** A node server answering `status` to every request, counting requests per Authorization value and body bytes. */
async function countingServer(status: number) {
  const seen = new Map<string, number>();
  const bodies: number[] = [];
  const server = http.createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    seen.set(auth, (seen.get(auth) ?? 0) + 1);
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      if (req.headers['content-length'] !== undefined) bodies.push(bytes);
      res.statusCode = status;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, seen, bodies, close };
}

// .ci/run installs wrk; elsewhere the bench falls back to autocannon and says so.
describe.skipIf(wrkMissing() !== null)('bench wrk runs against real servers', () => {
  it('sends every token of a rotating set from prebuilt requests and stops at a fractional duration', async () => {
    const server = await countingServer(200);
    try {
      const set = tokens.hsMany.slice(0, 20);
      const r = await runWrk({
        url: server.url,
        scenario: scenario('hs256-10k'),
        tokens: set,
        durationS: 0.6,
        connections: 4,
        pid: process.pid,
      });
      expect(r.ok).toBe(true);
      expect(r.statuses).toEqual({ '2xx': r.responses });
      expect(r.responses).toBeGreaterThan(100);
      // Stopped by SIGINT after 0.6 s (wrk's -d takes whole seconds only).
      expect(r.seconds).toBeGreaterThanOrEqual(0.6);
      expect(r.seconds).toBeLessThan(1.5);
      expect(r.cpuS).not.toBeNull();
      expect(r.p99).toBeGreaterThan(0);
      expect([...server.seen.keys()].sort()).toEqual(set.map((t) => `Bearer ${t}`).sort());
      // In turn: no token is sent twice before every other was sent once (counts differ by one at most).
      const counts = [...server.seen.values()];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    } finally {
      await server.close();
    }
  });

  it('passes a refusal row only when every response is a refusal, and a 2xx row only when none is', async () => {
    const refusing = await countingServer(401);
    try {
      const refusal = await runWrk({ url: refusing.url, scenario: scenario('no-token'), durationS: 0.3, connections: 2 });
      expect(refusal.ok).toBe(true);
      expect(refusal.statuses).toEqual({ '4xx': refusal.responses });
      const wrong = await runWrk({ url: refusing.url, scenario: scenario('passthrough'), durationS: 0.3, connections: 2 });
      expect(wrong.ok).toBe(false);
      expect(wrong.problems).toContain(`unexpected statuses: ${wrong.responses} 400 or above`);
    } finally {
      await refusing.close();
    }
    const serving = await countingServer(200);
    try {
      const r = await runWrk({ url: serving.url, scenario: scenario('no-token'), durationS: 0.3, connections: 2 });
      expect(r.ok).toBe(false);
      expect(r.problems).toContain(`unexpected statuses: ${r.responses} under 400`);
    } finally {
      await serving.close();
    }
  });

  it('sends the upload body whole with each request', async () => {
    const server = await countingServer(200);
    try {
      const body = Buffer.alloc(64 * 1024, 0x62);
      const r = await runWrk({ url: server.url, scenario: scenario('upload-1m'), uploadBody: body, durationS: 0.3, connections: 2 });
      expect(r.ok).toBe(true);
      expect(server.bodies.length).toBeGreaterThan(0);
      expect(new Set(server.bodies)).toEqual(new Set([body.length]));
    } finally {
      await server.close();
    }
  });

  it('reports a server it cannot reach as failed, not as a fast run', async () => {
    const server = await countingServer(200);
    const url = server.url;
    await server.close();
    const r = await runWrk({ url, scenario: scenario('passthrough'), durationS: 0.3, connections: 2 });
    expect(r.ok).toBe(false);
    expect(r.perCpuS).toBeNull();
  });

  it('leaves runs of a request count (warm-ups) to autocannon, whose statuses are exact', async () => {
    const server = await countingServer(200);
    try {
      const load = http1Load('wrk');
      const counted = await load({ url: server.url, scenario: scenario('passthrough'), amount: 50, connections: 2 });
      expect(counted.statuses).toEqual({ 200: counted.responses });
      const timed = await load({ url: server.url, scenario: scenario('passthrough'), durationS: 0.3, connections: 2 });
      expect(timed.statuses).toEqual({ '2xx': timed.responses });
      expect(http1Load('autocannon')).toBe(runLoad);
    } finally {
      await server.close();
    }
  });
});
