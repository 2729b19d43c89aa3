import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startTestGateway, startUpstream, stopAfterEach, tempDir, writeConfig, type LogCapture } from '../helpers/gateway-harness.js';

const started = stopAfterEach();
afterEach(() => {
  delete process.env.PORTCULLIS_ADMIN_TOKEN;
  delete process.env.PORTCULLIS_ADMIN_TOKEN_FILE;
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request like a browser or curl would send it; `host` overrides the Host header. */
function call(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const EVIL = 'http://evil.example';
const FORBIDDEN = JSON.stringify({ message: 'Forbidden' });

function multipart(fields: Array<[string, string]>): { body: Buffer; type: string } {
  const boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW';
  const parts = fields.map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  return { body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`), type: `multipart/form-data; boundary=${boundary}` };
}

async function start(gateway: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const upstream = await startUpstream();
  started.upstream = upstream;
  const config = {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', workers: 1, drain_timeout_ms: 2000, ...gateway },
    services: [
      {
        name: 'example_service',
        url: `http://127.0.0.1:${upstream.port}`,
        routes: [{ name: 'mock', paths: ['/mock'] }],
        plugins: [{ name: 'jwt' }],
      },
    ],
    consumers: [{ username: 'alice' }],
    ...extra,
  };
  const configPath = writeConfig(join(tempDir(), 'kong.json'), config);
  const { gateway: gw, logs } = await startTestGateway(configPath);
  started.gateway = gw;
  return { configPath, admin: gw.adminPort!, logs };
}

/** Every log line as text, for "this secret never appears" checks. */
const logText = (logs: LogCapture): string => logs.lines.map((l) => JSON.stringify(l)).join('\n');

describe('Admin API against cross-site requests and DNS rebinding', () => {
  it('refuses a cross-origin form POST, a multipart POST and a rebinding Host, leaving the config file byte-identical', async () => {
    const { configPath, admin, logs } = await start();
    const before = readFileSync(configPath);

    const formPost = await call(admin, 'POST', '/consumers/alice/jwt', 'key=evil&secret=evil-secret-123', { ...FORM, origin: EVIL });
    expect(formPost).toMatchObject({ status: 403, body: FORBIDDEN });
    const mp = multipart([
      ['key', 'evil'],
      ['secret', 'evil-secret-123'],
    ]);
    const multi = await call(admin, 'POST', '/consumers/alice/jwt', mp.body, { 'content-type': mp.type, origin: EVIL });
    expect(multi).toMatchObject({ status: 403, body: FORBIDDEN });
    const plain = await call(admin, 'POST', '/consumers', 'username=mallory', { 'content-type': 'text/plain', origin: 'null' });
    expect(plain.status).toBe(403);
    // A top-level navigation or no-cors request carries Sec-Fetch-Site but may carry no Origin.
    for (const site of ['cross-site', 'same-site']) {
      expect((await call(admin, 'POST', '/consumers', 'username=mallory', { ...FORM, 'sec-fetch-site': site })).status, site).toBe(403);
    }
    // DNS rebinding: the page's own name in Host, reads and writes both refused.
    const host = `attacker.example:${admin}`;
    expect(await call(admin, 'GET', '/consumers', undefined, { host })).toMatchObject({ status: 403, body: FORBIDDEN });
    expect((await call(admin, 'GET', '/status', undefined, { host })).status).toBe(403);
    expect((await call(admin, 'GET', '/metrics', undefined, { host })).status).toBe(403);
    expect((await call(admin, 'POST', '/consumers/alice/jwt', 'key=evil&secret=evil-secret-123', { ...FORM, host })).status).toBe(403);
    expect((await call(admin, 'DELETE', '/consumers/alice', undefined, { host: 'localhost.attacker.example' })).status).toBe(403);

    expect(readFileSync(configPath).equals(before)).toBe(true);
    expect(JSON.parse((await call(admin, 'GET', '/consumers/alice/jwt')).body).data).toEqual([]);
    const refusals = logs.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('admin request refused'));
    expect(refusals.length).toBe(10);
    expect(refusals[0]).toMatchObject({ peer: '127.0.0.1', reason: 'origin', origin: EVIL, path: '/consumers/alice/jwt' });
    expect(logText(logs)).not.toContain('evil-secret-123');
    const metrics = (await call(admin, 'GET', '/metrics')).body;
    expect(metrics).toContain('portcullis_admin_requests_refused_total{reason="origin"} 5');
    expect(metrics).toContain('portcullis_admin_requests_refused_total{reason="host"} 5');
  });

  it("runs the README's curl flow verbatim (real curl, no Origin, Host: localhost) against the guarded listener", async () => {
    const { admin, configPath } = await start(
      {},
      {
        services: [{ name: 'example_service', url: 'http://127.0.0.1:9', routes: [{ name: 'mock', paths: ['/mock'] }] }],
      },
    );
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Admin API'));
    const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!.replace(/\\\n\s*/g, '');
    const commands = block
      .split('\n')
      .filter((l) => l.startsWith('curl '))
      .map((l) => l.replaceAll(':8001', `:${admin}`));
    expect(commands).toHaveLength(3);
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const cwd = dirname(configPath);
    writeFileSync(join(cwd, 'public.pem'), publicKey);
    const outputs: string[] = [];
    for (const cmd of commands) outputs.push((await promisify(execFile)('sh', ['-c', cmd], { cwd })).stdout);
    expect(JSON.parse(outputs[0]!)).toMatchObject({ name: 'jwt' });
    expect(outputs[1]).toMatch(/^HTTP\/1\.1 201/);
    expect(outputs[2]).toMatch(/^HTTP\/1\.1 201/);
    const creds = JSON.parse((await call(admin, 'GET', '/consumers/fusionauth/jwt')).body).data;
    expect(creds).toMatchObject([{ key: 'https://local.fusionauth.io', algorithm: 'RS256', rsa_public_key: publicKey }]);

    // The attack from issue #11, as curl sends it: refused, the file unchanged.
    const before = readFileSync(configPath);
    const attack =
      `curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:${admin}/consumers/alice/jwt -H 'Origin: http://evil.example' ` +
      "-H 'Content-Type: application/x-www-form-urlencoded' --data 'key=evil&secret=evil'";
    expect((await promisify(execFile)('sh', ['-c', attack], { cwd })).stdout).toBe('403');
    expect(readFileSync(configPath).equals(before)).toBe(true);
  });

  it('serves the loopback names, with or without the port, and requests without Origin (curl) unchanged', async () => {
    const { admin } = await start();
    for (const host of ['localhost', `localhost:${admin}`, '127.0.0.1', `127.0.0.1:${admin}`, '[::1]', `[::1]:${admin}`, 'LOCALHOST.']) {
      expect((await call(admin, 'GET', '/status', undefined, { host })).status, host).toBe(200);
    }
    // What `curl -X POST http://localhost:8001/consumers --data username=bob` sends.
    const curl = await call(admin, 'POST', '/consumers', 'username=bob', {
      ...FORM,
      host: `localhost:${admin}`,
      'user-agent': 'curl/8.5.0',
      accept: '*/*',
    });
    expect(curl.status).toBe(201);
    // Browsers' own navigations and same-origin fetches are not cross-site.
    expect((await call(admin, 'GET', '/consumers', undefined, { 'sec-fetch-site': 'none' })).status).toBe(200);
  });

  it('lets an allowed origin call the API and answers its preflight; other origins get no CORS answer', async () => {
    const ui = 'https://admin-ui.example:8443';
    const { admin } = await start({ admin_allowed_origins: [ui] });
    const preflight = await call(admin, 'OPTIONS', '/consumers', undefined, {
      origin: ui,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
      'sec-fetch-site': 'cross-site',
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': ui,
      vary: 'Origin',
      'access-control-allow-methods': expect.stringContaining('POST'),
      'access-control-allow-headers': expect.stringContaining('Kong-Admin-Token'),
    });
    const created = await call(admin, 'POST', '/consumers', JSON.stringify({ username: 'carol' }), {
      'content-type': 'application/json',
      origin: ui,
      'sec-fetch-site': 'cross-site',
    });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBe(ui);

    const evilPreflight = await call(admin, 'OPTIONS', '/consumers', undefined, { origin: EVIL, 'access-control-request-method': 'POST' });
    expect(evilPreflight.status).toBe(403);
    expect(evilPreflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('with a token, the token is the gate and admin_allowed_hosts still applies when set', async () => {
    const open = await start({ admin_token: 'tok-1' });
    const host = { host: 'gateway.internal:8001' };
    expect((await call(open.admin, 'GET', '/consumers', undefined, { ...host, 'kong-admin-token': 'tok-1' })).status).toBe(200);
    expect((await call(open.admin, 'GET', '/consumers', undefined, host)).status).toBe(401);
    // The origin rule holds with a token too.
    expect((await call(open.admin, 'GET', '/consumers', undefined, { 'kong-admin-token': 'tok-1', origin: EVIL })).status).toBe(403);
    await started.gateway!.stop();

    const listed = await start({ admin_token: 'tok-1', admin_allowed_hosts: ['gateway.internal'] });
    const tok = { 'kong-admin-token': 'tok-1' };
    expect((await call(listed.admin, 'GET', '/consumers', undefined, { ...tok, host: 'gateway.internal:8001' })).status).toBe(200);
    expect((await call(listed.admin, 'GET', '/consumers', undefined, { ...tok, host: `localhost:${listed.admin}` })).status).toBe(200);
    expect((await call(listed.admin, 'GET', '/consumers', undefined, { ...tok, host: 'attacker.example' })).status).toBe(403);
  });
});

describe('Admin token from a file, failed attempts and the audit trail', () => {
  it('reads gateway.admin_token_file at start and again on reload, and counts and logs failed attempts by peer', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'admin-token');
    writeFileSync(tokenFile, 'first-token-value\n');
    const { admin, logs } = await start({ admin_token_file: tokenFile });
    const as = (token: string) => call(admin, 'GET', '/consumers', undefined, { 'kong-admin-token': token });
    expect((await as('first-token-value')).status).toBe(200);
    expect((await as('first-token-valu')).status).toBe(401);
    expect((await call(admin, 'GET', '/status')).status).toBe(401);

    writeFileSync(tokenFile, 'second-token-value\n');
    expect((await started.gateway!.reload()).ok).toBe(true);
    expect((await as('first-token-value')).status).toBe(401);
    expect((await as('second-token-value')).status).toBe(200);

    // An emptied file is a config error on reload; the running token stays.
    writeFileSync(tokenFile, '');
    const rejected = await started.gateway!.reload();
    expect(rejected.ok).toBe(false);
    expect(rejected.errors).toEqual([{ path: '$.gateway.admin_token_file', message: `the admin token file '${tokenFile}' is empty` }]);
    expect((await as('second-token-value')).status).toBe(200);

    const failures = logs.lines.filter((l) => l.msg === 'admin token check failed (401)');
    expect(failures.map((l) => [l.peer, l.reason])).toEqual([
      ['127.0.0.1', 'wrong'],
      ['127.0.0.1', 'missing'],
      ['127.0.0.1', 'wrong'],
    ]);
    const metrics = await call(admin, 'GET', '/metrics', undefined, { 'kong-admin-token': 'second-token-value' });
    expect(metrics.body).toContain('portcullis_admin_auth_failures_total 3');
    expect(logText(logs)).not.toMatch(/first-token-value|second-token-value/);
  });

  it('takes PORTCULLIS_ADMIN_TOKEN_FILE over the config file, and refuses to start on an unreadable one', async () => {
    const dir = tempDir();
    process.env.PORTCULLIS_ADMIN_TOKEN_FILE = join(dir, 'missing');
    await expect(start({ admin_token: 'from-config' })).rejects.toMatchObject({
      name: 'ConfigInvalidError',
      errors: [
        { path: 'PORTCULLIS_ADMIN_TOKEN_FILE', message: `cannot read the admin token file '${join(dir, 'missing')}': no such file` },
      ],
    });
    await started.upstream?.close();
    started.upstream = null;
    writeFileSync(join(dir, 'env-token'), 'env-file-token\r\n');
    process.env.PORTCULLIS_ADMIN_TOKEN_FILE = join(dir, 'env-token');
    const { admin } = await start({ admin_token: 'from-config' });
    expect((await call(admin, 'GET', '/', undefined, { 'kong-admin-token': 'env-file-token' })).status).toBe(200);
    expect((await call(admin, 'GET', '/', undefined, { 'kong-admin-token': 'from-config' })).status).toBe(401);
  });

  it('logs every write, POST /config and reload with method, path, peer, entity, id and generation, and never a secret', async () => {
    const { publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const { publicKey: jwkKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...jwkKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
    const adminToken = 'audit-admin-token-9f3c';
    const { admin, logs, configPath } = await start({ admin_token: adminToken });
    const tok = { 'kong-admin-token': adminToken };
    const hsSecret = 'hs-secret-value-7d1e5b';

    const hs = await call(admin, 'POST', '/consumers/alice/jwt', `key=alice-key&secret=${hsSecret}`, { ...FORM, ...tok });
    expect(hs.status).toBe(201);
    const rs = await call(
      admin,
      'POST',
      '/consumers/alice/jwt',
      JSON.stringify({ key: 'rs-key', algorithm: 'RS256', rsa_public_key: publicKey }),
      { 'content-type': 'application/json', ...tok },
    );
    expect(rs.status).toBe(201);
    const inline = await call(
      admin,
      'POST',
      '/consumers/alice/jwt',
      JSON.stringify({ key: 'jwks-key', algorithm: 'ES256', jwks: { keys: [jwk] } }),
      { 'content-type': 'application/json', ...tok },
    );
    expect(inline.status).toBe(201);
    const hsId = JSON.parse(hs.body).id;
    expect((await call(admin, 'PATCH', `/consumers/alice/jwt/${hsId}`, `secret=${hsSecret}-rotated`, { ...FORM, ...tok })).status).toBe(
      200,
    );
    expect((await call(admin, 'DELETE', '/consumers/alice/jwt/rs-key', undefined, tok)).status).toBe(204);
    expect((await call(admin, 'POST', '/consumers', 'username=alice', { ...FORM, ...tok })).status).toBe(409);
    const unparsable = `{"username":"x","secret":"${hsSecret}"`;
    expect((await call(admin, 'POST', '/consumers', unparsable, { 'content-type': 'application/json', ...tok })).status).toBe(400);

    const doc = JSON.parse(readFileSync(configPath, 'utf8'));
    doc.consumers.push({ username: 'bob', jwt_secrets: [{ key: 'bob-key', secret: 'bob-secret-value-44aa' }] });
    expect((await call(admin, 'POST', '/config', JSON.stringify(doc), { 'content-type': 'application/json', ...tok })).status).toBe(201);
    const generationAfterConfig = started.gateway!.generation;
    expect((await started.gateway!.reload()).ok).toBe(true);
    expect((await call(admin, 'GET', '/consumers', undefined, { 'kong-admin-token': 'wrong-token-guess-1234' })).status).toBe(401);

    const audit = logs.lines.filter((l) => l.audit === true);
    expect(audit.map((l) => [l.method, l.path, l.status, l.entity])).toEqual([
      ['POST', '/consumers/alice/jwt', 201, 'jwt_secrets'],
      ['POST', '/consumers/alice/jwt', 201, 'jwt_secrets'],
      ['POST', '/consumers/alice/jwt', 201, 'jwt_secrets'],
      ['PATCH', `/consumers/alice/jwt/${hsId}`, 200, 'jwt_secrets'],
      ['DELETE', '/consumers/alice/jwt/rs-key', 204, 'jwt_secrets'],
      ['POST', '/consumers', 409, 'consumers'],
      ['POST', '/consumers', 400, 'consumers'],
      ['POST', '/config', 201, 'config'],
      ['RELOAD', configPath, 200, 'config'],
    ]);
    expect(audit[0]).toMatchObject({ level: 30, peer: '127.0.0.1', entity_id: hsId, generation: 2 });
    expect(audit[3]).toMatchObject({ entity_id: hsId, generation: 5 });
    expect(audit[4]).toMatchObject({ entity_id: 'rs-key', generation: 6 });
    expect(audit[5]).toMatchObject({ generation: 6 });
    expect(audit[7]).toMatchObject({ entity_id: null, generation: generationAfterConfig });
    expect(audit[8]).toMatchObject({ peer: null, generation: generationAfterConfig + 1 });

    const text = logText(logs);
    const pemBody = publicKey.split('\n')[1]!;
    for (const secret of [hsSecret, 'bob-secret-value-44aa', adminToken, 'wrong-token-guess-1234', pemBody, String(jwk.x)]) {
      expect(text, secret).not.toContain(secret);
    }
  });
});
