import http from 'node:http';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { compileConfig } from '../../src/config/compile.js';
import { loadConfigFile } from '../../src/config/load.js';
import { explainRequest, type ExplainInput, type Explanation } from '../../src/explain/explain.js';
import { runExplainCommand } from '../../src/explain/explain-command.js';
import { startTestGateway, startUpstream, tempDir, TS_REGISTER, writeConfig, type TestUpstream } from '../helpers/gateway-harness.js';
import type { GatewayHandle } from '../../src/gateway.js';
import { makeToken } from '../helpers/tokens.js';

const SECRET = 'explain-secret';
const ISSUER = 'https://issuer.example/';
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const RSA_PUBLIC = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

let upstream: TestUpstream;
let gateway: GatewayHandle;
let configPath: string;

beforeAll(async () => {
  upstream = await startUpstream();
  configPath = writeConfig(join(tempDir(), 'kong.json'), {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', workers: 1, drain_timeout_ms: 1000 },
    services: [
      {
        name: 'svc',
        url: `http://127.0.0.1:${upstream.port}`,
        routes: [
          { name: 'open', paths: ['/open'] },
          { name: 'api', paths: ['/api'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] },
          { name: 'anon', paths: ['/anon'], plugins: [{ name: 'jwt', config: { anonymous: 'guest' } }] },
          {
            name: 'policy',
            paths: ['/policy'],
            plugins: [{ name: 'jwt', config: { audiences: ['orders'], scopes_required: ['orders:read'] } }],
          },
        ],
      },
    ],
    consumers: [
      { username: 'alice', jwt_secrets: [{ key: ISSUER, secret: SECRET, algorithm: 'HS256' }] },
      { username: 'bob', jwt_secrets: [{ key: 'bob-rs', algorithm: 'RS256', rsa_public_key: RSA_PUBLIC }] },
      { username: 'guest' },
    ],
  });
  ({ gateway } = await startTestGateway(configPath));
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
});

function send(input: ExplainInput): Promise<{ status: number; body: string; proxied: boolean }> {
  const before = upstream.seen.length;
  const headers: Record<string, string> = { connection: 'close' };
  for (const [n, v] of input.headers ?? []) headers[n] = v;
  if (input.token !== undefined) headers.authorization = `Bearer ${input.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: gateway.proxyPort, path: input.path, method: input.method ?? 'GET', agent: false, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), proxied: upstream.seen.length > before }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function explain(input: ExplainInput): Promise<Explanation> {
  const loaded = loadConfigFile(configPath);
  if (!loaded.ok) throw new Error('config');
  return explainRequest(compileConfig(loaded.config, 1), input);
}

const now = Math.floor(Date.now() / 1000);
const hs = (claims: object, alg = 'HS256') => makeToken({ alg, typ: 'JWT' }, { iss: ISSUER, ...claims }, SECRET);
const rs = (key: typeof rsa.privateKey) => makeToken({ alg: 'RS256', typ: 'JWT' }, { iss: 'bob-rs', exp: now + 600 }, key);

const CASES: Array<{ name: string; input: ExplainInput; allowed: boolean; reason: string | null; stoppedAt: string | null }> = [
  { name: 'valid HS256', input: { path: '/api/x', token: hs({ exp: now + 600 }) }, allowed: true, reason: 'ok', stoppedAt: null },
  {
    name: 'expired',
    input: { path: '/api/x', token: hs({ exp: now - 600 }) },
    allowed: false,
    reason: 'expired',
    stoppedAt: 'time_claims',
  },
  {
    name: 'wrong alg',
    input: { path: '/api/x', token: hs({ exp: now + 600 }, 'HS512') },
    allowed: false,
    reason: 'bad_alg',
    stoppedAt: 'algorithm',
  },
  {
    name: 'unknown key (no trailing slash)',
    input: { path: '/api/x', token: makeToken({ alg: 'HS256' }, { iss: 'https://issuer.example', exp: now + 60 }, SECRET) },
    allowed: false,
    reason: 'unknown_key',
    stoppedAt: 'credential',
  },
  { name: 'no token', input: { path: '/api/x' }, allowed: false, reason: 'no_token', stoppedAt: 'token' },
  {
    name: 'bad signature',
    input: { path: '/api/x', token: makeToken({ alg: 'HS256' }, { iss: ISSUER, exp: now + 60 }, 'other-secret') },
    allowed: false,
    reason: 'bad_signature',
    stoppedAt: 'signature',
  },
  { name: 'RS256 valid', input: { path: '/api/x', token: rs(rsa.privateKey) }, allowed: true, reason: 'ok', stoppedAt: null },
  {
    name: 'RS256 signed by another key',
    input: { path: '/api/x', token: rs(otherRsa.privateKey) },
    allowed: false,
    reason: 'bad_signature',
    stoppedAt: 'signature',
  },
  { name: 'no route', input: { path: '/nowhere' }, allowed: false, reason: null, stoppedAt: 'route' },
  { name: 'no auth route', input: { path: '/open/x', method: 'POST' }, allowed: true, reason: null, stoppedAt: null },
  { name: 'anonymous', input: { path: '/anon/x' }, allowed: true, reason: 'anonymous', stoppedAt: 'token' },
  {
    name: 'token in a header given as Name: value',
    input: { path: '/api/x', headers: [['Authorization', `Bearer ${hs({ exp: now + 600 })}`]] },
    allowed: true,
    reason: 'ok',
    stoppedAt: null,
  },
  {
    name: 'policy: audience not allowed',
    input: { path: '/policy/x', token: hs({ aud: 'billing', scope: 'orders:read' }) },
    allowed: false,
    reason: 'audience',
    stoppedAt: 'issuer_audience',
  },
  {
    name: 'policy: scope missing',
    input: { path: '/policy/x', token: hs({ aud: 'orders', scope: 'orders:write' }) },
    allowed: false,
    reason: 'scope',
    stoppedAt: 'scopes_roles',
  },
  {
    name: 'policy: satisfied',
    input: { path: '/policy/x', token: hs({ aud: ['x', 'orders'], scope: 'a orders:read' }) },
    allowed: true,
    reason: 'ok',
    stoppedAt: null,
  },
];

describe('explain agrees with the running gateway', () => {
  for (const c of CASES) {
    it(`gives the gateway's own answer: ${c.name}`, async () => {
      const [real, e] = [await send(c.input), await explain(c.input)];
      expect(e.verdict.allowed).toBe(real.proxied);
      expect(e.verdict.allowed).toBe(c.allowed);
      if (!real.proxied) {
        expect(e.verdict.status).toBe(real.status);
        // The gateway's 404 carries its request id; the message is the same.
        expect(JSON.parse(e.verdict.body!).message).toBe((JSON.parse(real.body) as { message?: string }).message);
        expect(JSON.parse(e.verdict.body!)).toMatchObject(JSON.parse(real.body.replace(/,\s*"request_id":"[0-9a-f]+"/, '')) as object);
      }
      expect(e.verdict.reason).toBe(c.reason);
      expect(e.verdict.stopped_at).toBe(c.stoppedAt);
    });
  }

  it('shows the near-miss credential key when the iss lacks the trailing slash', async () => {
    const e = await explain(CASES[3]!.input);
    const step = e.jwt!.steps.find((s) => s.step === 'credential')!;
    expect(step.input.compared_with).toContainEqual({ key: ISSUER, note: 'near miss: the key has a trailing slash the token lacks' });
  });

  it('shows the expiry with the current time and leeway', async () => {
    const e = await explain(CASES[1]!.input);
    const step = e.jwt!.steps.find((s) => s.step === 'time_claims')!;
    expect(step).toMatchObject({ result: 'fail', detail: '{"exp":"token expired"}', input: { leeway: 0, exp: now - 600 } });
    expect(step.input.exp_in_seconds).toBeLessThan(0);
  });

  it('answers the same on the Admin API as POST /debug/explain', async () => {
    const body = JSON.stringify({ path: '/api/x', token: CASES[2]!.input.token });
    const res = await fetch(`http://127.0.0.1:${gateway.adminPort}/debug/explain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(200);
    const e = (await res.json()) as Explanation;
    expect(e.verdict).toMatchObject({ allowed: false, status: 401, reason: 'bad_alg', stopped_at: 'algorithm' });
    const bad = await fetch(`http://127.0.0.1:${gateway.adminPort}/debug/explain`, { method: 'POST', body: JSON.stringify({ path: 'x' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: "'path' must be a string starting with '/'" });
  });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TS_REGISTER, CLI, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('portcullis explain (CLI)', () => {
  it('exits 0 for an allowed request, 1 for a refused one with the failing step, 2 for usage errors', async () => {
    const ok = await cli(['explain', '--config', configPath, '--path', '/api/x', '--token', CASES[0]!.input.token!]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('verdict   ALLOWED');
    const refused = await cli(['explain', '--config', configPath, '--path', '/api/x', '--token', CASES[3]!.input.token!]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('key "https://issuer.example/": near miss: the key has a trailing slash the token lacks');
    expect(refused.stdout).toMatch(/REFUSED: 401 .*No credentials found for given 'iss'.*stopped at credential/);
    const json = await cli(['explain', '--config', configPath, '--path', '/nowhere', '--json']);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.stdout) as Explanation).verdict).toMatchObject({ status: 404, stopped_at: 'route' });
    const usage = await cli(['explain', '--config', configPath]);
    expect(usage).toMatchObject({ code: 2, stderr: expect.stringContaining('--path is required') as string });
  });

  it('refuses a malformed --header, a missing config and --token with an Authorization header with exit code 2', async () => {
    const base = { configPath, path: '/x', headers: [] as string[], json: false };
    expect(await runExplainCommand({ ...base, headers: ['nocolon'] })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--header expects 'Name: value'") as string,
    });
    expect(await runExplainCommand({ ...base, configPath: join(tempDir(), 'missing.json') })).toMatchObject({ code: 2 });
    expect(await runExplainCommand({ ...base, token: 't', headers: ['Authorization: Bearer x'] })).toMatchObject({ code: 2 });
  });
});
