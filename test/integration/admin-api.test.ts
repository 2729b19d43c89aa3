import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { get, startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { makeToken } from '../helpers/tokens.js';

const started = stopAfterEach();
afterEach(() => {
  delete process.env.PORTCULLIS_ADMIN_TOKEN;
});

function rs256(privatePem: string, claims: Record<string, unknown>): string {
  return makeToken({ alg: 'RS256', typ: 'JWT' }, claims, privatePem);
}

function hs256(secret: string, claims: Record<string, unknown>): string {
  return makeToken({ alg: 'HS256', typ: 'JWT' }, claims, secret);
}

interface Reply {
  status: number;
  body: string;
}

/** One HTTP request with an optional raw body and headers (like curl). */
function call(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const form = (port: number, method: string, path: string, data: string, headers: Record<string, string> = {}) =>
  call(port, method, path, data, { 'content-type': 'application/x-www-form-urlencoded', ...headers });

/** What `curl -F a=b -F file=@path` sends. */
function multipart(fields: Array<[string, string, string?]>): { body: Buffer; type: string } {
  const boundary = '------------------------d74496d66958873e';
  const parts = fields.map(
    ([name, value, filename]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : ''}\r\n\r\n${value}\r\n`,
  );
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), type: `multipart/form-data; boundary=${boundary}` };
}

function seedConfig(upstreamPort: number, gatewaySettings: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', workers: 2, drain_timeout_ms: 2000, ...gatewaySettings },
    services: [{ name: 'example_service', url: `http://127.0.0.1:${upstreamPort}`, routes: [{ name: 'mock', paths: ['/mock'] }] }],
  };
}

/** Starts an upstream and a gateway on the seed config; with `jwtConsumer`, the service has the jwt plugin and that one consumer. */
async function start(gatewaySettings: Record<string, unknown> = {}, jwtConsumer?: Record<string, unknown>) {
  const upstream = await startUpstream();
  started.upstream = upstream;
  const config = seedConfig(upstream.port, gatewaySettings);
  if (jwtConsumer) {
    (config.services as any)[0].plugins = [{ name: 'jwt' }];
    config.consumers = [jwtConsumer];
  }
  const configPath = writeConfig(join(tempDir(), 'kong.json'), config);
  const { gateway } = await startTestGateway(configPath);
  started.gateway = gateway;
  return { configPath, upstream, admin: gateway.adminPort!, proxy: gateway.proxyPort };
}

describe('Admin API on the admin listener', () => {
  it('runs the FusionAuth seed commands verbatim, and the result survives a restart', async () => {
    const { configPath, upstream, admin, proxy } = await start();
    const dir = dirname(configPath);

    // curl -X POST http://localhost:8001/services/example_service/plugins --data "name=jwt"
    expect((await form(admin, 'POST', '/services/example_service/plugins', 'name=jwt')).status).toBe(201);
    // curl -i -X POST http://localhost:8001/consumers --data "username=fusionauth"
    const consumer = await form(admin, 'POST', '/consumers', 'username=fusionauth');
    expect(consumer.status).toBe(201);
    expect(JSON.parse(consumer.body)).toMatchObject({ username: 'fusionauth', custom_id: null });
    // curl -i -X POST .../consumers/fusionauth/jwt -F "algorithm=RS256" -F "rsa_public_key=@./public.pem" -F "key=https://local.fusionauth.io"
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(dir, 'public.pem'), publicKey);
    const mp = multipart([
      ['algorithm', 'RS256'],
      ['rsa_public_key', readFileSync(join(dir, 'public.pem'), 'utf8'), 'public.pem'],
      ['key', 'https://local.fusionauth.io'],
    ]);
    const cred = await call(admin, 'POST', '/consumers/fusionauth/jwt', mp.body, { 'content-type': mp.type });
    expect(cred.status).toBe(201);
    expect(JSON.parse(cred.body)).toMatchObject({ key: 'https://local.fusionauth.io', algorithm: 'RS256', rsa_public_key: publicKey });

    const token = rs256(privateKey, { iss: 'https://local.fusionauth.io', sub: 'u1', exp: Math.floor(Date.now() / 1000) + 600 });
    const check = async (port: number) => {
      expect((await get(port, '/mock/requests')).status).toBe(401);
      const ok = await call(port, 'GET', '/mock/requests', undefined, { authorization: `Bearer ${token}` });
      expect(ok.status).toBe(200);
      expect(upstream.seen.at(-1)?.headers['x-consumer-username']).toBe('fusionauth');
    };
    await check(proxy);

    await started.gateway!.stop();
    started.gateway = (await startTestGateway(configPath)).gateway;
    await check(started.gateway.proxyPort);
    expect(JSON.parse(readFileSync(configPath, 'utf8')).consumers[0]).toMatchObject({ username: 'fusionauth' });
  });

  it('loses no update and fails no proxied request while admin writes race with traffic', async () => {
    const { configPath, admin, proxy } = await start(
      {},
      { username: 'client', jwt_secrets: [{ key: 'client-key', secret: 'client-secret' }] },
    );
    const token = hs256('client-secret', { iss: 'client-key' });

    let running = true;
    const statuses: number[] = [];
    const traffic = Array.from({ length: 4 }, async () => {
      while (running) statuses.push((await call(proxy, 'GET', '/mock/t', undefined, { authorization: `Bearer ${token}` })).status);
    });
    let parses = 0;
    const fileWatch = (async () => {
      while (running) {
        JSON.parse(readFileSync(configPath, 'utf8'));
        parses++;
        await new Promise((r) => setTimeout(r, 1));
      }
    })();

    const N = 30;
    const writes = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        Promise.all([
          form(admin, 'POST', '/consumers', `username=user${i}`),
          call(admin, 'PATCH', '/services/example_service', JSON.stringify({ retries: i % 10 }), { 'content-type': 'application/json' }),
        ]),
      ),
    );
    const creds = await Promise.all(
      Array.from({ length: N }, (_, i) => form(admin, 'POST', `/consumers/user${i}/jwt`, `key=k${i}&secret=s${i}`)),
    );
    running = false;
    await Promise.all([...traffic, fileWatch]);

    expect(
      writes
        .flat()
        .map((r) => r.status)
        .filter((s) => s !== 201 && s !== 200),
    ).toEqual([]);
    expect(creds.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    expect(parses).toBeGreaterThan(0);
    const doc = JSON.parse(readFileSync(configPath, 'utf8'));
    expect(doc.consumers).toHaveLength(N + 1);
    const listed = JSON.parse((await call(admin, 'GET', '/jwts?size=1000')).body).data;
    expect(listed).toHaveLength(N + 1);
    // Every credential written works on the proxy.
    const last = await call(proxy, 'GET', '/mock/t', undefined, { authorization: `Bearer ${hs256(`s${N - 1}`, { iss: `k${N - 1}` })}` });
    expect(last.status).toBe(200);
  });

  it('applies credential and consumer changes to the proxy at once (Kong 04-invalidations 87-89)', async () => {
    const { admin, proxy } = await start({}, { username: 'consumer1', jwt_secrets: [{ key: 'key123', secret: 'secret123' }] });
    const auth = (key: string) => ({ authorization: `Bearer ${hs256('secret123', { iss: key })}` });
    const status = async (key: string) => (await call(proxy, 'GET', '/mock/x', undefined, auth(key))).status;
    // Several calls so that both workers (and their token caches) are exercised.
    const all = async (key: string) => [...new Set(await Promise.all(Array.from({ length: 8 }, () => status(key))))];

    expect(await all('key123')).toEqual([200]);
    expect(await all('keyhello')).toEqual([401]);
    const cred = JSON.parse((await call(admin, 'GET', '/consumers/consumer1/jwt/key123')).body);
    expect((await form(admin, 'PATCH', `/consumers/consumer1/jwt/${cred.id}`, 'key=keyhello')).status).toBe(200);
    expect(await all('keyhello')).toEqual([200]);
    expect(await all('key123')).toEqual([401]);

    expect((await call(admin, 'DELETE', `/consumers/consumer1/jwt/${cred.id}`)).status).toBe(204);
    expect(await all('keyhello')).toEqual([401]);

    expect((await form(admin, 'POST', '/consumers/consumer1/jwt', 'key=key123&secret=secret123')).status).toBe(201);
    expect(await all('key123')).toEqual([200]);
    expect((await call(admin, 'DELETE', '/consumers/consumer1')).status).toBe(204);
    expect(await all('key123')).toEqual([401]);
  });

  it('requires Kong-Admin-Token when gateway.admin_token is set', async () => {
    const { admin } = await start({ admin_token: 's3cret', workers: 1 });
    expect((await call(admin, 'GET', '/consumers')).status).toBe(401);
    expect((await call(admin, 'GET', '/consumers', undefined, { 'kong-admin-token': 'wrong' })).status).toBe(401);
    expect((await call(admin, 'GET', '/consumers', undefined, { 'kong-admin-token': 's3cret' })).status).toBe(200);
  });

  it('refuses to start with a non-loopback admin listener and no token', async () => {
    started.upstream = await startUpstream();
    const configPath = writeConfig(
      join(tempDir(), 'kong.json'),
      seedConfig(started.upstream.port, { admin_listen: '0.0.0.0:0', workers: 1 }),
    );
    await expect(startTestGateway(configPath)).rejects.toMatchObject({
      name: 'ConfigInvalidError',
      errors: [{ path: '$.gateway.admin_listen', message: expect.stringContaining('gateway.admin_token') }],
    });
    process.env.PORTCULLIS_ADMIN_TOKEN = 'from-env';
    started.gateway = (await startTestGateway(configPath)).gateway;
    const admin = started.gateway.adminPort!;
    expect((await call(admin, 'GET', '/status', undefined, { 'kong-admin-token': 'from-env' })).status).toBe(200);
    expect((await call(admin, 'GET', '/status')).status).toBe(401);
  });

  it('answers 413 for an oversized body and 400 for malformed JSON', async () => {
    const { admin } = await start({ workers: 1 });
    const big = await call(admin, 'POST', '/consumers', Buffer.alloc(9 * 1024 * 1024, 'a'), { 'content-type': 'application/json' });
    expect(big.status).toBe(413);
    const bad = await call(admin, 'POST', '/consumers', '{"username":', { 'content-type': 'application/json' });
    expect(bad).toEqual({ status: 400, body: JSON.stringify({ message: 'Cannot parse JSON body' }) });
  });
});
