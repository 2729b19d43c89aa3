import http from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { makeToken } from '../helpers/tokens.js';

const started = stopAfterEach();
const SECRET = 'access-log-secret';

interface Answer {
  status: number;
  body: string;
}

function send(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, agent: false, headers: { connection: 'close', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A closed loopback port: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.each(['uws', 'node'] as const)('access log (gateway.access_log = file path), %s engine', (engine) => {
  it('writes one line per request with route, service, consumer, credential, auth reason, upstream and byte fields', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const dir = tempDir();
    const logPath = join(dir, 'access.log');
    const configPath = writeConfig(join(dir, 'kong.json'), {
      _format_version: '3.0',
      gateway: {
        proxy_listen: '127.0.0.1:0',
        admin_listen: '127.0.0.1:0',
        workers: 1,
        max_body_bytes: 100,
        drain_timeout_ms: 2000,
        access_log: logPath,
        http_engine: engine,
      },
      services: [
        {
          name: 'svc',
          url: `http://127.0.0.1:${upstream.port}`,
          routes: [
            { name: 'open', paths: ['/open'] },
            { name: 'guarded', paths: ['/jwt'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] },
          ],
        },
        { name: 'down', url: `http://127.0.0.1:${await closedPort()}`, routes: [{ name: 'gone', paths: ['/down'] }] },
      ],
      consumers: [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: SECRET }] }],
    });
    const { gateway } = await startTestGateway(configPath);
    started.gateway = gateway;
    const port = gateway.proxyPort;
    const now = Math.floor(Date.now() / 1000);
    const valid = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', exp: now + 600 }, SECRET);
    const expired = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', exp: now - 600 }, SECRET);

    const answers = [
      await send(port, 'GET', '/open/hello?secret=not-logged'),
      await send(port, 'GET', '/jwt/me', { authorization: `Bearer ${valid}` }),
      await send(port, 'GET', '/jwt/me'),
      await send(port, 'GET', '/jwt/me', { authorization: `Bearer ${expired}` }),
      await send(port, 'GET', '/nowhere'),
      await send(port, 'POST', '/open/upload', { 'content-type': 'text/plain' }, '0123456789'),
      await send(port, 'POST', '/open/upload', {}, 'x'.repeat(1000)),
      await send(port, 'GET', '/down/x'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 401, 401, 404, 200, 413, 502]);
    const consumerId = upstream.seen.find((s) => s.url === '/me')?.headers['x-consumer-id'];
    expect(typeof consumerId).toBe('string');

    await gateway.stop(); // flushes and closes the access log
    started.gateway = null;
    const lines = readFileSync(logPath, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      expect(line).toMatchObject({ level: 30, msg: 'access', worker: expect.any(Number) as number });
      expect(line.request_id).toMatch(/^[0-9a-f]{32}$/);
      expect(line.latency_ms).toBeGreaterThanOrEqual(0);
      expect(line.gateway_latency_ms).toBeGreaterThanOrEqual(0);
    }
    const [open, allowed, noToken, late, noRoute, upload, tooLarge, down] = lines as Array<Record<string, unknown>>;
    expect(open).toMatchObject({
      method: 'GET',
      path: '/open/hello',
      status: 200,
      route: 'open',
      service: 'svc',
      consumer: null,
      credential: null,
      auth: null,
      upstream_status: 200,
      bytes_in: 0,
      bytes_out: Buffer.byteLength(answers[0]!.body),
    });
    expect(open!.upstream_latency_ms).toBeGreaterThanOrEqual(0);
    expect(allowed).toMatchObject({
      path: '/jwt/me',
      status: 200,
      route: 'guarded',
      service: 'svc',
      consumer: consumerId,
      credential: 'alice-key',
      auth: 'ok',
      upstream_status: 200,
    });
    expect(noToken).toMatchObject({
      status: 401,
      route: 'guarded',
      auth: 'no_token',
      consumer: null,
      upstream_status: null,
      upstream_latency_ms: null,
      bytes_out: Buffer.byteLength(answers[2]!.body),
    });
    expect(late).toMatchObject({ status: 401, auth: 'expired', upstream_status: null });
    expect(noRoute).toMatchObject({
      method: 'GET',
      path: '/nowhere',
      status: 404,
      route: null,
      service: null,
      auth: null,
      upstream_status: null,
    });
    expect(upload).toMatchObject({ method: 'POST', status: 200, bytes_in: 10, upstream_status: 200 });
    expect(tooLarge).toMatchObject({ method: 'POST', status: 413, route: null, upstream_status: null });
    expect(down).toMatchObject({ status: 502, route: 'gone', service: 'down', upstream_status: null });
    expect(down!.upstream_latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('writes nothing when access_log is absent', async () => {
    const upstream = await startUpstream();
    started.upstream = upstream;
    const dir = tempDir();
    const configPath = writeConfig(join(dir, 'kong.json'), {
      _format_version: '3.0',
      gateway: { proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', workers: 1 },
      services: [{ name: 'svc', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'open', paths: ['/open'] }] }],
    });
    const { gateway, logs } = await startTestGateway(configPath);
    started.gateway = gateway;
    expect((await send(gateway.proxyPort, 'GET', '/open/x')).status).toBe(200);
    expect(logs.lines.some((l) => l.msg === 'access')).toBe(false);
  });
});
