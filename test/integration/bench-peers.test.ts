import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, startNginx, type Started } from '../../bench/macro/nginx.mjs';
import { startHaproxy } from '../../bench/macro/haproxy.mjs';
import { stopProcess } from '../../bench/macro/procs.mjs';
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
