import { afterAll, describe, expect, it } from 'vitest';
import { createConfigMapDir } from '../helpers/configmap-dir.js';
import { freePort, startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { startKeepAliveLoad } from '../helpers/keepalive-load.js';
import { startUpstream, type Upstream } from '../helpers/http-upstream.js';

// Two replicas as Kubernetes runs them during a rollout: real `node dist/cli.js` processes on one proxy port
// (SO_REUSEPORT), one ConfigMap-style mount, steady keep-alive load, then a config swap, a bad swap and a SIGTERM.
const DRAIN_DELAY_MS = 300;
const DRAIN_TIMEOUT_MS = 3000;

function config(proxyPort: number, upstreamPort: number, paths: string[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    _format_version: '3.0',
    gateway: {
      proxy_listen: `127.0.0.1:${proxyPort}`,
      admin_listen: 'off',
      status_listen: '127.0.0.1:0',
      workers: 1,
      log_level: 'info',
      admin_writes: false,
      drain_delay_ms: DRAIN_DELAY_MS,
      drain_timeout_ms: DRAIN_TIMEOUT_MS,
    },
    services: [{ name: 'api', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'api', paths }] }],
    ...extra,
  });
}

async function statusPort(p: GatewayProcess): Promise<number> {
  const started = await p.waitForLog((l) => typeof l.statusListen === 'string');
  return Number(/:(\d+)$/.exec(started.statusListen as string)![1]);
}

async function getJson(port: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const generationOf = async (port: number): Promise<number> =>
  ((await getJson(port, '/status')).body.config as { generation: number }).generation;

describe('rollout of two replicas behind one port', () => {
  const processes: GatewayProcess[] = [];
  let upstream: Upstream | null = null;
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await upstream?.close();
  });

  it('swaps the ConfigMap, refuses a bad one, and drains one replica with zero failed requests and zero resets', async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    const port = await freePort();
    const mount = createConfigMapDir(config(port, upstream.port, ['/api']));
    // `--watch` here; gateway.watch_config: true does the same from the file (replica-admin-status.test.ts).
    const a = startGatewayProcess(['--config', mount.path, '--watch']);
    const b = startGatewayProcess(['--config', mount.path, '--watch']);
    processes.push(a, b);
    const [statusA, statusB] = await Promise.all([statusPort(a), statusPort(b)]);
    for (const s of [statusA, statusB]) await waitFor('ready', async () => (await getJson(s, '/status/ready')).status === 200);

    // The kernel spreads connections over the replicas' listening sockets by hash, and a keep-alive client keeps its
    // one connection: with 6 clients all of them landed on one replica about once in 32 runs (a CI failure), and the
    // wait below never ended. With 16, once in 32,768.
    const load = startKeepAliveLoad(port, '/api', 16);
    await waitFor('load on both replicas', async () => {
      const [ra, rb] = await Promise.all([getJson(statusA, '/status'), getJson(statusB, '/status')]);
      const served = (d: Record<string, unknown>) => (d.server as { total_requests: number }).total_requests;
      return served(ra.body) > 20 && served(rb.body) > 20;
    });

    // 1. ConfigMap update: kubelet swaps `..data`; both replicas converge to generation 2, which routes /v2 too.
    mount.publish(config(port, upstream.port, ['/api', '/v2']));
    await waitFor('generation 2 on both', async () => (await generationOf(statusA)) === 2 && (await generationOf(statusB)) === 2);
    for (const s of [statusA, statusB]) expect(await getJson(s, '/status/ready')).toEqual({ status: 200, body: { message: 'ready' } });
    for (let i = 0; i < 10; i++) expect((await fetch(`http://127.0.0.1:${port}/v2`)).status).toBe(200);

    // 2. A bad ConfigMap: each replica logs every error and keeps serving generation 2.
    mount.publish(config(port, upstream.port, ['v3-without-slash'], { typo: true }));
    for (const p of [a, b]) await p.waitForLog((l) => l.msg === 'config reload rejected; the previous config keeps serving');
    expect(a.logs.some((l) => l.msg === 'config reload rejected: $.typo: unknown field')).toBe(true);
    expect(await generationOf(statusA)).toBe(2);
    expect(await generationOf(statusB)).toBe(2);
    for (let i = 0; i < 10; i++) expect((await fetch(`http://127.0.0.1:${port}/v2`)).status).toBe(200);

    // 3. SIGTERM one replica under load: not ready at once, exits 0 within drain delay + drain timeout.
    const servedByB = async () => ((await getJson(statusB, '/status')).body.server as { total_requests: number }).total_requests;
    const termAt = Date.now();
    a.child.kill('SIGTERM');
    await waitFor('A not ready', async () => (await getJson(statusA, '/status/ready')).status === 503, 1000);
    expect((await getJson(statusA, '/status/ready')).body).toEqual({ message: 'draining: the gateway is shutting down' });
    expect(await a.exited).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(DRAIN_DELAY_MS + DRAIN_TIMEOUT_MS);
    const before = await servedByB();
    await waitFor('B serving the load alone', async () => (await servedByB()) > before + 50);

    const result = await load.stop();
    expect(result.errors).toEqual({});
    expect(result.failedStatus).toEqual({});
    expect(result.ok).toBeGreaterThan(200);
    // The drained replica told its keep-alive clients to reconnect rather than cutting them off.
    expect(result.closeAnswers).toBeGreaterThan(0);

    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
