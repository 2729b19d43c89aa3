import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, startNginx, type Started } from '../../bench/macro/nginx.mjs';
import { startHaproxy } from '../../bench/macro/haproxy.mjs';
import { stopProcess } from '../../bench/macro/procs.mjs';
import { runOpenLoop } from '../../bench/macro/open-loop.mjs';
import { measureIdle } from '../../bench/macro/idle.mjs';
import { createCredentials, makeInvalidTokens, makeTokens } from '../../bench/macro/tokens.mjs';

const creds = createCredentials();
const hasNginx = findBinary('nginx') !== null;
const hasHaproxy = findBinary('haproxy') !== null;
let dir: string;
let upstream: Started;
const running: Started[] = [];

async function get(port: number, urlPath: string, token?: string): Promise<{ status: number; type: string | null; body: Buffer }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()) };
}

function portOf(s: Started): number {
  if (!s.available) throw new Error(s.reason);
  return s.port;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-peers-'));
  if (!hasNginx) return;
  upstream = await startNginx({ name: 'nginx-upstream', role: 'upstream', workDir: dir });
  running.push(upstream);
});

afterAll(async () => {
  for (const s of running) await stopProcess(s.child);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasNginx)('the bench nginx upstream and nginx proxy_pass peer', () => {
  it('serves the small JSON on every path and 64 KiB on paths ending /big', async () => {
    const port = portOf(upstream);
    const small = await get(port, '/open/');
    expect([small.status, small.type, small.body.toString()]).toEqual([200, 'application/json', '{"ok":true}\n']);
    const big = await get(port, '/big');
    expect([big.status, big.body.length]).toEqual([200, 64 * 1024]);
  });

  it('proxies /open/ with the prefix stripped and answers 404 for no route', async () => {
    const proxy = await startNginx({ name: 'nginx-proxy', role: 'proxy', workDir: dir, backendPort: portOf(upstream) });
    running.push(proxy);
    const port = portOf(proxy);
    expect((await get(port, '/open/')).body.toString()).toBe('{"ok":true}\n');
    expect((await get(port, '/open/big')).body.length).toBe(64 * 1024);
    expect((await get(port, '/nowhere/')).status).toBe(404);
  });
});

describe.skipIf(!hasNginx)('the bench open-loop loader and idle window against nginx', () => {
  it('sends at the fixed rate, answers every request and reads latency percentiles and CPU', async () => {
    const r = await runOpenLoop({
      url: `http://127.0.0.1:${portOf(upstream)}`,
      path: '/open/',
      rate: 400,
      durationS: 1,
      connections: 8,
      pid: upstream.child!.pid,
    });
    expect(r.problems).toEqual([]);
    expect([r.sent, r.responses, r.statuses]).toEqual([400, 400, { 200: 400 }]);
    expect(r.seconds).toBeGreaterThanOrEqual(0.99);
    expect(r.p50).toBeGreaterThan(0);
    expect(r.p999).toBeGreaterThanOrEqual(r.p99!);
    expect(r.cpuS).not.toBeNull();
  });

  it('reports a fixed-rate run with wrong statuses as failed', async () => {
    const proxy = await startNginx({ name: 'nginx-proxy-404', role: 'proxy', workDir: dir, backendPort: portOf(upstream) });
    running.push(proxy);
    const r = await runOpenLoop({ url: `http://127.0.0.1:${portOf(proxy)}`, path: '/nowhere/', rate: 100, durationS: 0.5, connections: 2 });
    expect(r.ok).toBe(false);
    expect(r.problems[0]).toMatch(/unexpected statuses: 404×50/);
  });

  it("measures an idle process's CPU as a share of one core", async () => {
    const pid = upstream.child!.pid!;
    const idle = await measureIdle({ pids: [pid], seconds: 1, settleS: 0 });
    expect(idle[pid]!.seconds).toBeGreaterThanOrEqual(0.99);
    expect(idle[pid]!.share).toBeLessThan(0.05);
  });
});

describe.skipIf(!hasNginx || !hasHaproxy)('the bench HAProxy jwt_verify peer', () => {
  it('lets valid HS256 and RS256 tokens through and refuses bad, missing and expired ones', async () => {
    const haproxy = await startHaproxy({ workDir: dir, backendPort: portOf(upstream), creds });
    running.push(haproxy);
    const port = portOf(haproxy);
    const [hs] = makeTokens({ alg: 'HS256', creds, count: 1 });
    const [rs] = makeTokens({ alg: 'RS256', creds, count: 1 });
    const [badHs] = makeInvalidTokens({ alg: 'HS256', creds, count: 1 });
    const [badRs] = makeInvalidTokens({ alg: 'RS256', creds, count: 1 });
    const [expired] = makeTokens({ alg: 'HS256', creds, count: 1, nowSeconds: 1_000_000 });
    expect((await get(port, '/open/')).body.toString()).toBe('{"ok":true}\n');
    expect((await get(port, '/open/big')).body.length).toBe(64 * 1024);
    expect((await get(port, '/api/', hs)).status).toBe(200);
    expect((await get(port, '/api/', rs)).status).toBe(200);
    for (const token of [badHs, badRs, expired, undefined]) expect((await get(port, '/api/', token)).status).toBe(401);
    expect((await get(port, '/nowhere/')).status).toBe(404);
  });
});
