import http from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayHandle } from '../../src/gateway.js';
import {
  startTestGateway,
  startUpstream,
  tempDir,
  waitReady,
  writeConfig,
  type LogCapture,
  type TestUpstream,
} from '../helpers/gateway-harness.js';
import { startIdp, type TestIdp } from '../helpers/test-idp.js';

let gateway: GatewayHandle | null = null;
let upstream: TestUpstream | null = null;
let idps: TestIdp[] = [];

afterEach(async () => {
  await gateway?.stop();
  await upstream?.close();
  for (const i of idps) await i.close();
  gateway = null;
  upstream = null;
  idps = [];
});

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function call(port: number, token: string | null): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const req = http.request({ host: '127.0.0.1', port, path: '/api/orders', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setup(
  credentials: Array<Record<string, unknown>>,
  gatewaySettings: Record<string, unknown>,
): Promise<{ gw: GatewayHandle; logs: LogCapture }> {
  upstream = await startUpstream();
  const doc = {
    _format_version: '3.0',
    gateway: {
      proxy_listen: '127.0.0.1:0',
      admin_listen: '127.0.0.1:0',
      workers: 1,
      drain_timeout_ms: 2000,
      log_level: 'info',
      ...gatewaySettings,
    },
    services: [
      { name: 'orders', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'api', paths: ['/api'] }], plugins: [{ name: 'jwt' }] },
    ],
    consumers: credentials.map((c, i) => ({ username: `idp-user-${i}`, jwt_secrets: [{ algorithm: 'RS256', ...c }] })),
  };
  const started = await startTestGateway(writeConfig(join(tempDir(), 'kong.json'), doc));
  gateway = started.gateway;
  return { gw: started.gateway, logs: started.logs };
}

async function newIdp(): Promise<TestIdp> {
  const i = await startIdp();
  idps.push(i);
  return i;
}

const INVALID_SIGNATURE = '{"message":"Invalid signature"}';

describe.each(['libuv', 'pool'] as const)('FusionAuth flow through the gateway (asymmetric_verify=%s)', (mode) => {
  it('accepts IdP tokens by PEM and by jwks_uri, follows a key rotation without restart, and rejects the retired key', async () => {
    const pemIdp = await newIdp();
    const idp = await newIdp();
    const { gw } = await setup(
      [
        { key: pemIdp.url, rsa_public_key: pemIdp.current.publicPem },
        { key: idp.url, jwks_uri: idp.jwksUri },
      ],
      { asymmetric_verify: mode, jwks_refetch_interval_seconds: 0 },
    );
    expect(await waitReady(gw)).toBe(true);

    const viaPem = await call(gw.proxyPort, pemIdp.token());
    expect(viaPem.status).toBe(200);
    expect(upstream!.seen.at(-1)?.headers['x-consumer-username']).toBe('idp-user-0');

    const oldKey = idp.current;
    const oldToken = idp.token();
    expect((await call(gw.proxyPort, oldToken)).status).toBe(200);
    expect(upstream!.seen.at(-1)?.headers['x-consumer-username']).toBe('idp-user-1');
    expect((await call(gw.proxyPort, oldToken)).status).toBe(200);

    // Rotation, phase 1: the new key is published next to the old one.
    idp.rotate();
    expect((await call(gw.proxyPort, idp.token())).status).toBe(200);
    expect((await call(gw.proxyPort, oldToken)).status).toBe(200);

    // Phase 2: the old key leaves the JWKS. The next unknown kid refetches; the retired key's tokens then fail.
    idp.retire(oldKey.kid);
    idp.rotate();
    idp.retire(idp.published[0]!.kid);
    expect((await call(gw.proxyPort, idp.token())).status).toBe(200);
    const rejected = await call(gw.proxyPort, oldToken);
    expect(rejected.status).toBe(401);
    expect(rejected.body).toBe(INVALID_SIGNATURE);
    expect(rejected.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    // Fresh tokens from a retired key fail too (no cache involved).
    expect((await call(gw.proxyPort, idp.token({ jti: 'x' }, oldKey))).body).toBe(INVALID_SIGNATURE);
    expect((await call(gw.proxyPort, viaPemToken(pemIdp))).status).toBe(200);
    // The signatures were verified off the event loop, by the configured mode.
    const status = (await gw.status()) as { counters: Record<string, number> };
    expect(status.counters.verifyOffloaded).toBeGreaterThanOrEqual(5);
  });
});

function viaPemToken(i: TestIdp): string {
  return i.token({ jti: `t-${Math.random()}` });
}

describe('JWKS faults through the gateway', () => {
  it('reports not ready while the IdP is down at start, until the bounded wait ends, then loads once the IdP is up', async () => {
    const idp = await newIdp();
    idp.mode = 'reset';
    const { gw, logs } = await setup([{ key: idp.url, jwks_uri: idp.jwksUri }], {
      jwks_ready_timeout_ms: 1500,
      jwks_refetch_interval_seconds: 0,
    });
    expect((await gw.status()).ready).toBe(false);
    await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('reporting ready anyway'));
    expect((await gw.status()).ready).toBe(true);
    expect((await call(gw.proxyPort, idp.token())).body).toBe(INVALID_SIGNATURE);
    idp.mode = 'ok';
    expect((await call(gw.proxyPort, idp.token())).status).toBe(200);
  });

  it('keeps serving valid tokens when the IdP later goes down, is slow, serves malformed JSON or a wrong-kty key, and counts the errors', async () => {
    const idp = await newIdp();
    const { gw } = await setup([{ key: idp.url, jwks_uri: idp.jwksUri }], { jwks_refetch_interval_seconds: 0, jwks_fetch_timeout_ms: 300 });
    expect(await waitReady(gw)).toBe(true);
    idp.slowMs = 1000;
    for (const mode of ['reset', 'error500', 'slow', 'not-json', 'no-keys-array', 'only-wrong-kty'] as const) {
      idp.mode = mode;
      // A fresh token (not cached) with the good kid verifies with the last good keys.
      expect((await call(gw.proxyPort, idp.token({ jti: mode }))).status, mode).toBe(200);
      // An unknown kid forces a fetch, which fails: Invalid signature, and the gateway stays up.
      expect((await call(gw.proxyPort, idp.token({}, { ...idp.current, kid: `unknown-${mode}` }))).body, mode).toBe(INVALID_SIGNATURE);
    }
    const status = (await gw.status()) as { ready: boolean; counters: Record<string, number> };
    expect(status.ready).toBe(true);
    expect(status.counters.jwksFetchErrors).toBe(6);
    idp.mode = 'ok';
    expect((await call(gw.proxyPort, idp.token({ jti: 'after' }))).status).toBe(200);
  });

  it('fetches at most once per refetch interval when a client sprays random kids', async () => {
    const idp = await newIdp();
    const { gw } = await setup([{ key: idp.url, jwks_uri: idp.jwksUri }], { jwks_refetch_interval_seconds: 60 });
    expect(await waitReady(gw)).toBe(true);
    const before = idp.fetches;
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(gw.proxyPort, idp.token({}, { ...idp.current, kid: `spray-${i}` }))),
    );
    expect(replies.every((r) => r.status === 401 && r.body === INVALID_SIGNATURE)).toBe(true);
    expect(idp.fetches - before).toBeLessThanOrEqual(1);
    expect((await call(gw.proxyPort, idp.token())).status).toBe(200);
    const status = (await gw.status()) as { counters: Record<string, number> };
    expect(status.counters.jwksRefetchesSuppressed).toBeGreaterThan(100);
  });
});
