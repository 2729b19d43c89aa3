import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import type { JwtAlgorithm } from '../../../src/config/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { bearer, buildConfig, plugin } from './helpers.js';

interface Vector {
  alg: string;
  jwk?: Record<string, string>;
  token: string;
}
const RFC = JSON.parse(readFileSync(new URL('../../fixtures/auth/rfc7515.json', import.meta.url), 'utf8')) as Record<string, Vector>;
const JOE = '55555555-5555-4555-8555-555555555555';

function authFor(alg: JwtAlgorithm, material: { secret?: string; pem?: string }) {
  const config = buildConfig([
    {
      id: JOE,
      username: 'joe',
      credentials: [{ key: 'joe', algorithm: alg, secret: material.secret ?? null, rsa_public_key: material.pem ?? null }],
    },
  ]);
  return createAuthenticator(config, { now: () => 1_700_000_000, hmac: createHmacVerifier() });
}
const pemOf = (jwk: Record<string, string>) =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;
const sync = (o: AuthOutcome): AuthDecision => {
  if (o instanceof Promise) throw new Error('async');
  return o;
};

describe('RFC 7515 Appendix A examples', () => {
  it('A.1 HS256 verifies with the JWK secret under secret_is_base64 (CRLF in the JSON is fine)', () => {
    const a = authFor('HS256', { secret: RFC.A1!.jwk!.k });
    expect(sync(a.authenticate(plugin({ secret_is_base64: true }), bearer(RFC.A1!.token))).kind).toBe('allow');
  });
  it('A.1 reports its expired exp when exp is verified', () => {
    const a = authFor('HS256', { secret: RFC.A1!.jwk!.k });
    const d = sync(a.authenticate(plugin({ secret_is_base64: true, claims_to_verify: ['exp'] }), bearer(RFC.A1!.token)));
    expect(d).toMatchObject({ kind: 'deny', body: '{"exp":"token expired"}' });
  });
  it('A.2 RS256 verifies with the RFC public key', () => {
    const a = authFor('RS256', { pem: pemOf(RFC.A2!.jwk!) });
    expect(sync(a.authenticate(plugin(), bearer(RFC.A2!.token))).kind).toBe('allow');
  });
  it('A.3 ES256 verifies with the RFC public key', () => {
    const a = authFor('ES256', { pem: pemOf(RFC.A3!.jwk!) });
    expect(sync(a.authenticate(plugin(), bearer(RFC.A3!.token))).kind).toBe('allow');
  });
  it('A.4 ES512 has a non-JSON payload and is refused as Bad token; invalid JSON', () => {
    const a = authFor('ES512', { pem: pemOf(RFC.A4!.jwk!) });
    expect(sync(a.authenticate(plugin(), bearer(RFC.A4!.token)))).toMatchObject({
      kind: 'deny',
      body: '{"message":"Bad token; invalid JSON"}',
    });
  });
  it('A.5 alg none is refused as Bad token; invalid alg', () => {
    const a = authFor('HS256', { secret: 'x' });
    expect(sync(a.authenticate(plugin(), bearer(RFC.A5!.token)))).toMatchObject({
      kind: 'deny',
      body: '{"message":"Bad token; invalid alg"}',
    });
  });
});
