import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../../src/config/load.js';
import { compileConfig } from '../../../src/config/compile.js';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { createJwksRegistry, type JwksRegistry } from '../../../src/auth/jwks/jwks-registry.js';
import { DEFAULT_JWKS_SETTINGS } from '../../../src/auth/jwks/jwks-cache.js';
import { createLibuvVerifier } from '../../../src/crypto/verify-libuv.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import type { CompiledConfig } from '../../../src/config/types.js';
import { startIdp, type TestIdp } from '../../helpers/test-idp.js';
import { bearer, plugin } from './helpers.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

function compiled(secret: Record<string, unknown>, consumers: Array<Record<string, unknown>> = []): CompiledConfig {
  const doc = {
    _format_version: '3.0',
    consumers: [{ username: 'fusion', jwt_secrets: [{ algorithm: 'RS256', ...secret }] }, ...consumers],
  };
  const r = loadConfigText(JSON.stringify(doc), 'json', 'test.json');
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return compileConfig(r.config, 1);
}

const messageOf = (d: AuthDecision) => (d.kind === 'deny' ? `${d.status} ${d.body}` : d.kind);
const isPromise = (o: AuthOutcome): o is Promise<AuthDecision> => typeof (o as Promise<AuthDecision>).then === 'function';

describe('authenticator with a jwks_uri credential', () => {
  let clock = 5_000_000;
  let registry: JwksRegistry;
  beforeAll(() => {
    registry = createJwksRegistry({ settings: { ...DEFAULT_JWKS_SETTINGS, refetchIntervalSeconds: 10 }, now: () => clock, timers: false });
  });
  afterAll(() => registry.close());

  it('accepts IdP tokens, picks up a rotated key by kid, and rejects the retired key once it leaves the JWKS', async () => {
    const auth = createAuthenticator(compiled({ key: idp.url, jwks_uri: idp.jwksUri }), { jwks: registry });
    const p = plugin();
    await registry.whenReady();
    const oldKey = idp.current;
    const oldToken = idp.token();
    expect(messageOf(await auth.authenticate(p, bearer(oldToken)))).toBe('allow');
    // Cached: the second time is synchronous.
    const hit = auth.authenticate(p, bearer(oldToken));
    expect(isPromise(hit)).toBe(false);

    idp.rotate();
    idp.retire(oldKey.kid);
    clock += 10_000;
    const fresh = auth.authenticate(p, bearer(idp.token()));
    expect(isPromise(fresh)).toBe(true);
    expect(messageOf(await fresh)).toBe('allow');
    // The key set changed: the verified-token cache forgets what the retired key verified.
    expect(messageOf(await auth.authenticate(p, bearer(oldToken)))).toBe('401 {"message":"Invalid signature"}');
  });

  it('answers Invalid signature for an unknown kid after the refetch, and for a kid that is not a string', async () => {
    const auth = createAuthenticator(compiled({ key: idp.url, jwks_uri: idp.jwksUri }), { jwks: registry });
    clock += 10_000;
    const forged = idp.token({}, { ...idp.current, kid: 'nobody-knows-me' });
    expect(messageOf(await auth.authenticate(plugin(), bearer(forged)))).toBe('401 {"message":"Invalid signature"}');
    const [h, pl, s] = idp.token().split('.');
    const numericKid = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 7 })).toString('base64url')}.${pl}.${s}`;
    expect(h).toBeDefined();
    expect(messageOf(await auth.authenticate(plugin(), bearer(numericKid)))).toBe('401 {"message":"Invalid signature"}');
  });
});

describe('authenticator with an inline jwks', () => {
  it('verifies with the key named by kid, synchronously with the inline verifier', () => {
    const jwk = { ...idp.current.publicKey.export({ format: 'jwk' }), kid: idp.current.kid, alg: 'RS256' };
    const auth = createAuthenticator(compiled({ key: idp.url, jwks: { keys: [jwk] } }));
    const out = auth.authenticate(plugin(), bearer(idp.token()));
    expect(isPromise(out)).toBe(false);
    expect(messageOf(out as AuthDecision)).toBe('allow');
  });
});

describe('authenticator with an asynchronous verifier', () => {
  it('returns a Promise on a miss and a synchronous decision on a cache hit', async () => {
    const auth = createAuthenticator(compiled({ key: idp.url, rsa_public_key: idp.current.publicPem }), {
      verifyAsymmetric: createLibuvVerifier().verify,
    });
    const token = idp.token();
    const first = auth.authenticate(plugin(), bearer(token));
    expect(isPromise(first)).toBe(true);
    expect(messageOf(await first)).toBe('allow');
    expect(isPromise(auth.authenticate(plugin(), bearer(token)))).toBe(false);
  });

  it('answers 503 verifyQueueFull when the verifier is full, even with anonymous set, and counts it', () => {
    const auth = createAuthenticator(compiled({ key: idp.url, rsa_public_key: idp.current.publicPem }, [{ username: 'anon' }]), {
      verifyAsymmetric: () => AuthStatus.overloaded,
    });
    const out = auth.authenticate(plugin({ anonymous: 'anon' }), bearer(idp.token())) as AuthDecision;
    expect(out).toEqual({
      kind: 'deny',
      authStatus: AuthStatus.overloaded,
      reason: 13,
      status: 503,
      body: '{"message":"Authentication is temporarily overloaded"}',
      wwwAuthenticate: null,
    });
    expect(auth.stats().verifyQueueFull).toBe(1);
  });
});
