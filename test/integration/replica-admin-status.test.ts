import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig } from '../helpers/gateway-harness.js';

const started = stopAfterEach();

interface Reply {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

function call(port: number, method: string, path: string, json?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = json === undefined ? undefined : JSON.stringify(json);
    const headers: Record<string, string> = { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...extraHeaders };
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          /* metrics text */
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SERVICE_ID = '8b8c2b4e-6f41-4a4b-9a0e-6d8f3f5b1a01';

async function start(gatewaySettings: Record<string, unknown>) {
  const upstream = await startUpstream();
  started.upstream = upstream;
  const config = {
    _format_version: '3.0',
    gateway: {
      proxy_listen: '127.0.0.1:0',
      admin_listen: '127.0.0.1:0',
      status_listen: '127.0.0.1:0',
      workers: 2,
      drain_timeout_ms: 2000,
      ...gatewaySettings,
    },
    services: [
      {
        id: SERVICE_ID,
        name: 'svc',
        url: `http://127.0.0.1:${upstream.port}`,
        routes: [{ name: 'r', paths: ['/api'] }],
        plugins: [{ name: 'jwt' }],
      },
    ],
    consumers: [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret' }] }],
  };
  const configPath = writeConfig(join(tempDir(), 'kong.json'), config);
  const { gateway } = await startTestGateway(configPath);
  started.gateway = gateway;
  return { configPath, admin: gateway.adminPort!, status: gateway.statusPort!, text: readFileSync(configPath, 'utf8') };
}

const dbLess = (message: string) => ({ code: 12, name: 'operation unsupported', message });

describe('read-only Admin API (gateway.admin_writes: false)', () => {
  it("refuses every write with Kong's DB-less 405, still validates first, serves every read, and never touches the file", async () => {
    const { configPath, admin, text } = await start({ admin_writes: false });
    const refused: Array<[string, string, unknown, string]> = [
      ['POST', '/services', { name: 'new', url: 'http://127.0.0.1:1' }, "cannot create 'services' entities when not using a database"],
      ['POST', '/routes', { paths: ['/x'], service: { id: SERVICE_ID } }, "cannot create 'routes' entities when not using a database"],
      ['POST', '/consumers', { username: 'bob' }, "cannot create 'consumers' entities when not using a database"],
      ['POST', '/plugins', { name: 'jwt' }, "cannot create 'plugins' entities when not using a database"],
      ['POST', '/consumers/alice/jwt', { key: 'k2' }, "cannot create 'jwt_secrets' entities when not using a database"],
      ['POST', '/services/svc/routes', { paths: ['/y'] }, "cannot create 'routes' entities when not using a database"],
      ['PATCH', `/services/${SERVICE_ID}`, { retries: 1 }, "cannot update 'services' entities when not using a database"],
      ['PATCH', '/services/svc', { retries: 1 }, "cannot update 'services' entities by 'name' when not using a database"],
      ['PUT', '/consumers/bob', {}, "cannot create or update 'consumers' entities by 'username' when not using a database"],
      [
        'PUT',
        '/routes/r',
        { paths: ['/z'], service: { id: SERVICE_ID } },
        "cannot create or update 'routes' entities by 'name' when not using a database",
      ],
      ['DELETE', '/consumers/alice', undefined, "cannot remove 'consumers' entities by 'username' when not using a database"],
      ['DELETE', '/consumers/alice/jwt/alice-key', undefined, "cannot remove 'jwt_secrets' entities by 'key' when not using a database"],
      ['DELETE', '/routes/r', undefined, "cannot remove 'routes' entities by 'name' when not using a database"],
      [
        'POST',
        '/config',
        { _format_version: '3.0' },
        'cannot replace the configuration through the Admin API: gateway.admin_writes is false and gateway.admin_config_endpoint is not true',
      ],
    ];
    for (const [method, path, body, message] of refused) {
      const res = await call(admin, method, path, body);
      expect({ method, path, status: res.status, body: res.body }).toEqual({ method, path, status: 405, body: dbLess(message) });
    }
    // Kong validates before its DB-less strategy refuses: bad input keeps its 400, a missing entity its 404 / 204.
    expect((await call(admin, 'POST', '/services', { name: 'bad', url: 'nope' })).status).toBe(400);
    expect((await call(admin, 'PATCH', '/consumers/nobody', { custom_id: 'x' })).status).toBe(404);
    expect((await call(admin, 'DELETE', '/consumers/nobody')).status).toBe(204);

    expect((await call(admin, 'GET', '/')).body.configuration.database).toBe('off');
    expect((await call(admin, 'GET', '/services/svc')).body).toMatchObject({ id: SERVICE_ID, name: 'svc' });
    expect((await call(admin, 'GET', '/consumers')).body.data.map((c: { username: string }) => c.username)).toEqual(['alice']);
    expect((await call(admin, 'GET', '/consumers/alice/jwt')).body.data[0]).toMatchObject({ key: 'alice-key' });
    expect((await call(admin, 'GET', '/config')).status).toBe(200);
    expect((await call(admin, 'GET', '/status')).status).toBe(200);
    expect(started.gateway!.generation).toBe(1);
    expect(readFileSync(configPath, 'utf8')).toBe(text);
  });

  it('applies POST /config in memory only when gateway.admin_config_endpoint is true', async () => {
    const { configPath, admin, text } = await start({ admin_writes: false, admin_config_endpoint: true });
    const res = await call(admin, 'POST', '/config', { _format_version: '3.0', consumers: [{ username: 'carol' }] });
    expect(res.status).toBe(201);
    expect(started.gateway!.generation).toBe(2);
    expect((await call(admin, 'GET', '/consumers')).body.data.map((c: { username: string }) => c.username)).toEqual(['carol']);
    expect(readFileSync(configPath, 'utf8')).toBe(text);
    expect((await call(admin, 'POST', '/consumers', { username: 'dave' })).status).toBe(405);
  });
});

describe('watched config (gateway.watch_config: true)', () => {
  it('reloads when the file is replaced, and keeps the old config (errors logged) when the new one is invalid', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const dir = tempDir();
    const doc = (paths: string[]) => ({
      _format_version: '3.0',
      gateway: { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1, watch_config: true },
      services: [{ name: 'svc', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'r', paths }] }],
    });
    const configPath = writeConfig(join(dir, 'kong.json'), doc(['/one']));
    const { gateway, logs } = await startTestGateway(configPath, { testing: { watchDebounceMs: 30 } });
    started.gateway = gateway;
    // An editor's save: write a temporary file, rename it over the config.
    writeConfig(join(dir, '.kong.json.tmp'), doc(['/two']));
    renameSync(join(dir, '.kong.json.tmp'), configPath);
    await logs.waitFor((l) => l.msg === 'config reloaded: generation 2');
    expect((await call(gateway.proxyPort, 'GET', '/two')).status).toBe(200);

    writeConfig(configPath, { ...doc(['/three']), typo: 1 });
    await logs.waitFor((l) => l.msg === 'config reload rejected; the previous config keeps serving');
    expect(logs.lines.some((l) => l.msg === 'config reload rejected: $.typo: unknown field')).toBe(true);
    expect(gateway.generation).toBe(2);
    expect((await call(gateway.proxyPort, 'GET', '/two')).status).toBe(200);
  });
});

describe('status listener (gateway.status_listen)', () => {
  it('serves /status, /status/ready and /metrics read-only, and turns not ready as soon as a stop begins', async () => {
    const { status } = await start({ admin_listen: 'off', drain_delay_ms: 300 });
    expect(started.gateway!.adminPort).toBeNull();
    expect(await call(status, 'GET', '/status/ready')).toMatchObject({ status: 200, body: { message: 'ready' } });
    const doc = await call(status, 'GET', '/status');
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ database: { reachable: true }, ready: true, config: { generation: 1 } });
    expect(doc.body.server.total_requests).toBeTypeOf('number');
    const metrics = await call(status, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('portcullis_requests_total');
    expect(await call(status, 'POST', '/status/ready')).toMatchObject({ status: 405, body: { message: 'Method not allowed' } });
    expect(await call(status, 'DELETE', '/metrics')).toMatchObject({ status: 405 });
    expect(await call(status, 'GET', '/services')).toMatchObject({ status: 404, body: { message: 'Not found' } });
    expect((await call(status, 'HEAD', '/status/ready')).status).toBe(200);

    const stopping = started.gateway!.stop();
    expect(await call(status, 'GET', '/status/ready')).toMatchObject({
      status: 503,
      body: { message: 'draining: the gateway is shutting down' },
    });
    expect((await call(status, 'GET', '/status')).body.ready).toBe(false);
    await stopping;
    started.gateway = null;
  });

  it("applies the admin listener's Host and Origin rules without a token: a probe's address passes, a rebound name does not", async () => {
    const { status } = await start({ admin_listen: 'off', admin_allowed_hosts: ['status.internal'] });
    // Kubelet probes send the address they connect to (the pod IP; on 0.0.0.0 any IP literal passes).
    expect(await call(status, 'GET', '/status/ready', undefined, { host: `127.0.0.1:${status}` })).toMatchObject({ status: 200 });
    expect(await call(status, 'GET', '/metrics', undefined, { host: `status.internal:${status}` })).toMatchObject({ status: 200 });
    expect(await call(status, 'GET', '/status', undefined, { host: `rebound.example:${status}` })).toMatchObject({
      status: 403,
      body: { message: 'Forbidden' },
    });
    expect(await call(status, 'GET', '/status', undefined, { origin: 'https://evil.example' })).toMatchObject({ status: 403 });
  });
});
