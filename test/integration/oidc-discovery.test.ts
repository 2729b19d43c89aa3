// OIDC discovery on a credential (oidc_issuer) against a local FusionAuth-shaped IdP, through the whole gateway.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayHandle } from '../../src/gateway.js';
import {
  get,
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
let idp: TestIdp | null = null;

afterEach(async () => {
  await gateway?.stop();
  await upstream?.close();
  await idp?.close();
  gateway = null;
  upstream = null;
  idp = null;
});

/** A FusionAuth-like IdP: issuer = instance URL, its JWKS lists keys of other types and algorithms too. */
async function fusionAuth(): Promise<TestIdp> {
  idp = await startIdp();
  idp.foreignKeys = true;
  return idp;
}

async function setup(
  credential: Record<string, unknown>,
  gatewaySettings: Record<string, unknown> = {},
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
      jwks_refetch_interval_seconds: 0,
      ...gatewaySettings,
    },
    services: [
      { name: 'orders', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'api', paths: ['/api'] }], plugins: [{ name: 'jwt' }] },
    ],
    consumers: [{ username: 'fa-user', jwt_secrets: [{ algorithm: 'RS256', ...credential }] }],
  };
  const started = await startTestGateway(writeConfig(join(tempDir(), 'kong.json'), doc));
  gateway = started.gateway;
  return { gw: started.gateway, logs: started.logs };
}

const call = (gw: GatewayHandle, token: string) => get(gw.proxyPort, '/api/orders', { authorization: `Bearer ${token}` });

describe('OIDC discovery (oidc_issuer)', () => {
  it('discovers the JWKS from the issuer, keys the credential by the issuer, and picks keys by kid among foreign ones', async () => {
    const i = await fusionAuth();
    const { gw } = await setup({ oidc_issuer: i.url });
    expect(await waitReady(gw)).toBe(true);
    expect(i.discoveryFetches).toBeGreaterThanOrEqual(1);
    const ok = await call(gw, i.token());
    expect(ok.status).toBe(200);
    expect(upstream!.seen.at(-1)?.headers['x-credential-identifier']).toBe(i.url);
    // A kid naming the IdP's ES256 or RS512 key does not verify an RS256 token.
    for (const kid of ['fa-es256', 'fa-rs512']) {
      expect((await call(gw, i.token({ jti: kid }, { ...i.current, kid }))).body).toBe('{"message":"Invalid signature"}');
    }
  });

  it('follows a key rotation by refetching the discovered JWKS on an unknown kid, without discovering again', async () => {
    const i = await fusionAuth();
    const { gw } = await setup({ oidc_issuer: i.url });
    expect(await waitReady(gw)).toBe(true);
    const old = i.current;
    expect((await call(gw, i.token())).status).toBe(200);
    const discoveries = i.discoveryFetches;
    i.rotate();
    i.retire(old.kid);
    const fetchesBefore = i.fetches;
    expect((await call(gw, i.token())).status).toBe(200);
    expect(i.fetches).toBe(fetchesBefore + 1);
    expect((await call(gw, i.token({ jti: 'old' }, old))).status).toBe(401);
    expect(i.discoveryFetches).toBe(discoveries);
  });

  it('refuses a discovery document whose issuer differs by a byte, logs why, and stays not ready', async () => {
    const i = await fusionAuth();
    i.discoveryIssuer = `${i.url}/`;
    const { gw, logs } = await setup({ oidc_issuer: i.url }, { jwks_ready_timeout_ms: 300 });
    const line = await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('does not match the configured'));
    expect(line.msg).toContain(JSON.stringify(`${i.url}/`));
    await logs.waitFor((l) => typeof l.msg === 'string' && l.msg.includes('not ready until fixed'));
    expect((await gw.status()).ready).toBe(false);
    expect((await call(gw, i.token())).status).toBe(401);
    expect(i.fetches).toBe(0);
  });
});
