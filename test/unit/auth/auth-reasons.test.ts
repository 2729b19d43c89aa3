import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { AUTH_REASON_NAMES, type AuthDecision, type AuthOutcome, type AuthRequest } from '../../../src/auth/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { bearer, buildConfig, hs256, NOW, plugin, request } from './helpers.js';

const hmac = createHmacVerifier();
const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
const p = plugin({ claims_to_verify: ['exp', 'nbf'] });

function reasonOf(req: AuthRequest, pl = p): string {
  const o: AuthOutcome = a.authenticate(pl, req);
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return AUTH_REASON_NAMES[(o as AuthDecision).reason];
}

describe('auth reasons: every decision carries one of the fixed reasons', () => {
  const good = { iss: 'alice-key', exp: NOW + 60, nbf: NOW - 60 };
  it('says ok for a verified token, and again on the cache hit', () => {
    const t = hs256(good);
    expect(reasonOf(bearer(t))).toBe('ok');
    expect(reasonOf(bearer(t))).toBe('ok');
  });
  it('says no_token without a token and bad_token for a malformed one', () => {
    expect(reasonOf(request())).toBe('no_token');
    expect(reasonOf(bearer('not-a-jwt'))).toBe('bad_token');
  });
  it('says unknown_key when no credential has the key claim', () => {
    expect(reasonOf(bearer(hs256({ ...good, iss: 'nobody' })))).toBe('unknown_key');
  });
  it('says bad_signature for a token signed with another secret', () => {
    expect(reasonOf(bearer(hs256(good, 'wrong-secret')))).toBe('bad_signature');
  });
  it('says expired and not_yet_valid for the time claims', () => {
    expect(reasonOf(bearer(hs256({ ...good, exp: NOW - 1 })))).toBe('expired');
    expect(reasonOf(bearer(hs256({ ...good, nbf: NOW + 100 })))).toBe('not_yet_valid');
  });
  it('says anonymous when the anonymous consumer stands in', () => {
    expect(reasonOf(request(), plugin({ anonymous: 'anonymous-user' }))).toBe('anonymous');
  });
});

describe('auth reasons: policy extensions', () => {
  const t = hs256({ iss: 'alice-key', aud: 'web', scope: 'read' });
  it('says issuer, audience, scope and role for each policy refusal', () => {
    expect(reasonOf(bearer(t), plugin({ issuers: ['other'] }))).toBe('issuer');
    expect(reasonOf(bearer(t), plugin({ audiences: ['api'] }))).toBe('audience');
    expect(reasonOf(bearer(t), plugin({ scopes_required: ['write'] }))).toBe('scope');
    expect(reasonOf(bearer(t), plugin({ roles_required: ['admin'] }))).toBe('role');
  });
});
