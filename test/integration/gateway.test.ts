import http2 from 'node:http2';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../src/portcullis-error.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';
import { gatewayConfig, get, startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig } from '../helpers/gateway-harness.js';

const started = stopAfterEach();
/** Whether this Node can load the uWS binary (only Node 20, ABI 115); elsewhere the node engine takes over. */
const UWS_LOADS = uwsBinaryAvailable();

async function setup(paths: string[], gatewaySettings: Record<string, unknown> = {}, testing = {}) {
  const upstream = await startUpstream();
  started.upstream = upstream;
  const configPath = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(upstream.port, paths, gatewaySettings));
  const { gateway, logs } = await startTestGateway(configPath, { testing });
  started.gateway = gateway;
  return { configPath, logs, gw: gateway, up: upstream };
}

type Status = {
  ready: boolean;
  config: { generation: number };
  server: { total_requests: number; connections_active: number };
  workers: Array<{ id: number; state: string; requests: number; restarts: number; generation: number; port: number; http_engine: string }>;
};

describe('gateway supervisor (real worker threads)', () => {
  it('proxies a request to the upstream through a worker thread', async () => {
    const { gw, up } = await setup(['/api']);
    expect(gw.proxyPort).toBeGreaterThan(0);
    const reply = await get(gw.proxyPort, '/api/hello?x=1');
    expect(reply.status).toBe(200);
    expect(up.seen.at(-1)?.url).toBe('/hello?x=1');
  });

  it('logs the HTTP engine, HMAC engine, workers, listen addresses and config generation at start-up', async () => {
    const { logs, gw } = await setup(['/api']);
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    expect(line).toMatchObject({
      workers: 1,
      generation: 1,
      proxyListen: `127.0.0.1:${gw.proxyPort}`,
      adminListen: `127.0.0.1:${gw.adminPort}`,
    });
    expect(line.httpEngine).toBe(UWS_LOADS ? 'uws-native' : 'node');
    expect(line.msg).toContain(`proxy on 127.0.0.1:${gw.proxyPort} (`);
    expect(['native', 'node:crypto']).toContain(line.hmacEngine);
  });

  it.runIf(UWS_LOADS)('keeps the uWS engine and logs no engine switch where the uWS binary loads (Node 20)', async () => {
    const { logs } = await setup(['/api']);
    await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    expect(logs.lines.some((l) => String(l.msg).includes('ENGINE SWITCHED'))).toBe(false);
  });

  it.skipIf(UWS_LOADS)(
    'switches every proxy listener to the node engine and warns loudly where the uWS binary cannot load (Node ≥ 22)',
    async () => {
      const { logs, gw } = await setup(['/api'], { http_engine: 'uws' });
      const warning = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('HTTP ENGINE SWITCHED TO NODE'));
      expect(warning).toMatchObject({ level: 40, node: process.versions.node });
      expect(warning.msg).toContain(`cannot load on Node ${process.versions.node}`);
      const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
      expect(line.msg).toContain(`proxy on 127.0.0.1:${gw.proxyPort} (node)`);
      expect((await get(gw.proxyPort, '/api/switched')).status).toBe(200);
    },
  );

  it('serves on one port from two workers and the kernel spreads connections over both', async () => {
    const { gw } = await setup(['/api'], { workers: 2 });
    const replies = await Promise.all(Array.from({ length: 40 }, () => get(gw.proxyPort, '/api/spread')));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    const status = (await gw.status()) as unknown as Status;
    expect(status.workers).toHaveLength(2);
    expect(status.workers.map((w) => w.port)).toEqual([gw.proxyPort, gw.proxyPort]);
    expect(status.workers[0]!.requests + status.workers[1]!.requests).toBe(40);
    expect(status.workers[0]!.requests).toBeGreaterThan(0);
    expect(status.workers[1]!.requests).toBeGreaterThan(0);
    expect(status.server.total_requests).toBe(40);
  });

  it('serves node-engine HTTP/1.1 and HTTP/2 listeners from every worker, on every Node version', async () => {
    // Node 20's net module has no reusePort: the addon opens each worker's SO_REUSEPORT socket there.
    const { gw, logs } = await setup(['/api'], { workers: 2, proxy_listen: '127.0.0.1:0 engine=node, 127.0.0.1:0 http2' });
    const [node, h2] = gw.proxyPorts as [number, number];
    const h2Status = async (): Promise<number> => {
      const session = http2.connect(`http://127.0.0.1:${h2}`);
      try {
        return await new Promise<number>((resolve, reject) => {
          const stream = session.request({ ':path': '/api/h2' });
          stream.on('response', (h) => resolve(Number(h[':status'])));
          stream.on('error', reject);
          stream.resume();
        });
      } finally {
        session.close();
      }
    };
    const replies = await Promise.all(Array.from({ length: 40 }, () => get(node, '/api/spread')));
    expect(replies.map((r) => r.status)).toEqual(Array(40).fill(200));
    const h2Replies = await Promise.all(Array.from({ length: 20 }, h2Status));
    expect(h2Replies).toEqual(Array(20).fill(200));
    const status = (await gw.status()) as unknown as Status;
    expect(status.workers.map((w) => w.requests).reduce((a, b) => a + b)).toBe(60);
    expect(status.workers.every((w) => w.requests > 0)).toBe(true);
    expect(logs.lines.some((l) => String(l.msg).includes('cannot share a port between threads'))).toBe(false);
  });

  it('serves every proxy_listen entry from every worker, each with its own X-Forwarded-Port', async () => {
    const { gw, up } = await setup(['/api'], { workers: 2, proxy_listen: '127.0.0.1:0 reuseport, 127.0.0.1:0 backlog=64 engine=uws' });
    expect(gw.proxyPorts).toHaveLength(2);
    expect(gw.proxyPorts[0]).not.toBe(gw.proxyPorts[1]);
    for (const port of gw.proxyPorts) {
      const replies = await Promise.all(Array.from({ length: 12 }, () => get(port, '/api/l')));
      expect(replies.map((r) => r.status)).toEqual(Array(12).fill(200));
      expect(up.seen.at(-1)?.headers['x-forwarded-port']).toBe(String(port));
    }
    const status = (await gw.status()) as unknown as Status;
    expect(status.workers.every((w) => w.requests > 0)).toBe(true);
  });

  it("serves node-engine and http2 listeners beside uWS ones and names each listener's engine at start-up", async () => {
    const { gw, logs } = await setup(['/api'], { workers: 2, proxy_listen: '127.0.0.1:0, 127.0.0.1:0 engine=node, 127.0.0.1:0 http2' });
    const [plain, node, h2] = gw.proxyPorts as [number, number, number];
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    expect(line.msg).toContain(`127.0.0.1:${node} (node)`);
    expect(line.msg).toContain(`127.0.0.1:${h2} (node, http2: uWS has no HTTP/2)`);
    expect((await get(plain, '/api/a')).status).toBe(200);
    expect((await get(node, '/api/b')).status).toBe(200);
    const session = http2.connect(`http://127.0.0.1:${h2}`);
    const status = await new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': '/api/c' });
      stream.on('response', (h) => resolve(Number(h[':status'])));
      stream.on('error', reject);
      stream.resume();
    });
    session.close();
    expect(status).toBe(200);
  });

  it('--http-engine node (GatewayOverrides.httpEngine) moves every proxy listener to the node engine', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const configPath = writeConfig(
      join(tempDir(), 'kong.json'),
      gatewayConfig(upstream.port, ['/api'], { proxy_listen: '127.0.0.1:0 engine=uws' }),
    );
    const { gateway } = await startTestGateway(configPath, { overrides: { httpEngine: 'node' } });
    started.gateway = gateway;
    const reply = await get(gateway.proxyPort, '/api/x');
    expect(reply.status).toBe(200);
    expect(((await gateway.status()) as unknown as { engines: { http: string } }).engines.http).toBe('node');
  });

  it('reload() with a changed route takes effect in every worker', async () => {
    const { gw, configPath, up } = await setup(['/api'], { workers: 2 });
    writeConfig(configPath, gatewayConfig(up.port, ['/v2']));
    const result = await gw.reload();
    expect(result).toEqual({ ok: true, generation: 2 });
    const replies = await Promise.all(Array.from({ length: 10 }, () => get(gw.proxyPort, '/v2/x')));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await get(gw.proxyPort, '/api/x')).status).toBe(404);
    const status = (await gw.status()) as unknown as Status;
    expect(status.config.generation).toBe(2);
    expect(status.workers.map((w) => w.generation)).toEqual([2, 2]);
  });

  it('rejects an invalid config on reload, logs every error with its path, and keeps serving the old one', async () => {
    const { gw, configPath, logs } = await setup(['/api']);
    writeConfig(configPath, {
      _format_version: '3.0',
      bogus: 1,
      services: [{ name: 'svc', url: 'ftp://x', routes: [{ paths: ['/a'], typo: true }] }],
    });
    const result = await gw.reload();
    expect(result.ok).toBe(false);
    expect(result.generation).toBe(1);
    const errors = result.errors ?? [];
    expect(errors.length).toBeGreaterThanOrEqual(3);
    for (const e of errors) {
      expect(e.path).toMatch(/^\$/);
      expect(logs.lines.some((l) => l.level === 50 && l.msg === `config reload rejected: ${e.path}: ${e.message}`)).toBe(true);
    }
    expect((await get(gw.proxyPort, '/api/still')).status).toBe(200);
    expect(gw.generation).toBe(1);
  });

  it('lets a request in flight during a reload complete', async () => {
    const { gw, configPath, up } = await setup(['/api']);
    const held = up.nextHeld();
    const inFlight = get(gw.proxyPort, '/api/hold');
    await held;
    writeConfig(configPath, gatewayConfig(up.port, ['/v2']));
    expect((await gw.reload()).ok).toBe(true);
    up.release();
    const reply = await inFlight;
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toMatchObject({ url: '/hold' });
  });

  it('stop() drains a slow in-flight request before the workers end', async () => {
    const { gw, up } = await setup(['/api'], { workers: 2 });
    const held = up.nextHeld();
    const inFlight = get(gw.proxyPort, '/api/hold');
    await held;
    const stopping = gw.stop();
    let stopped = false;
    void stopping.then(() => {
      stopped = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    up.release();
    expect((await inFlight).status).toBe(200);
    await stopping;
    await expect(get(gw.proxyPort, '/api/after')).rejects.toThrow();
  });

  it('stop() ends a request still in flight after gateway.drain_timeout_ms and still resolves', async () => {
    const { gw, up } = await setup(['/api'], { drain_timeout_ms: 100 });
    const held = up.nextHeld();
    const inFlight = get(gw.proxyPort, '/api/hold').then(
      (r) => r.status,
      () => 'closed',
    );
    await held;
    await gw.stop();
    expect(await inFlight).toBe('closed');
    up.release();
  });

  it('restarts a crashed worker with the current config and logs it', async () => {
    let crashWorker: (id: number) => void = () => {};
    const onCrashHook = (crash: (id: number) => void): void => {
      crashWorker = crash;
    };
    const { gw, logs, configPath, up } = await setup(['/api'], { workers: 2 }, { onCrashHook });
    await get(gw.proxyPort, '/api/before');
    writeConfig(configPath, gatewayConfig(up.port, ['/v2']));
    await gw.reload();
    crashWorker(1);
    const died = await logs.waitFor((l) => l.msg === 'worker thread died; restarting it');
    expect(died).toMatchObject({ level: 50, worker: 1, exitCode: 1, restarts: 1 });
    await logs.waitFor((l) => l.msg === 'worker thread restarted' && l.worker === 1);
    const status = (await gw.status()) as unknown as Status;
    expect(status.workers[1]).toMatchObject({ state: 'ready', restarts: 1, generation: 2, port: gw.proxyPort });
    const replies = await Promise.all(Array.from({ length: 20 }, () => get(gw.proxyPort, '/v2/after')));
    expect(replies.every((r) => r.status === 200)).toBe(true);
  });

  it("serves /status in Kong's shape and /metrics in Prometheus text on the admin listener", async () => {
    const { gw } = await setup(['/api'], { workers: 2 });
    await get(gw.proxyPort, '/api/a');
    await get(gw.proxyPort, '/nothing');
    const status = await get(gw.adminPort!, '/status');
    expect(status.status).toBe(200);
    expect(status.headers['content-type']).toBe('application/json; charset=utf-8');
    const doc = JSON.parse(status.body);
    expect(doc).toMatchObject({
      database: { reachable: true },
      server: { total_requests: 2, connections_active: 0 },
      ready: true,
      config: { generation: 1 },
      counters: { requests: 2, responses2xx: 1, responses4xx: 1 },
    });
    expect(typeof doc.memory.rss).toBe('number');
    expect(doc.workers).toHaveLength(2);
    expect(doc.workers[0]).toMatchObject({ state: 'ready', generation: 1, restarts: 0 });
    expect(['uws-native', 'node']).toContain(doc.engines.http);

    const metrics = await get(gw.adminPort!, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(metrics.body).toContain('portcullis_requests_total 2\n');
    expect(metrics.body).toContain('portcullis_responses_total{class="4xx"} 1\n');
    expect(metrics.body).toMatch(/portcullis_worker_requests_total\{worker="1"\} \d+/);
    expect((await get(gw.adminPort!, '/other')).status).toBe(404);
  });

  it('refuses to start on an invalid config with every error and its JSON path', async () => {
    const dir = tempDir();
    const configPath = writeConfig(join(dir, 'bad.json'), { _format_version: '3.0', services: [{ name: 'a', url: 'nope', extra: 1 }] });
    const error = await startTestGateway(configPath).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigInvalidError);
    const errors = (error as ConfigInvalidError).errors;
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.map((e) => e.path)).toContain('$.services[0].extra');
  });
});
