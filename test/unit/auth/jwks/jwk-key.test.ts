import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { indexByKid, parseJwk, parseJwks, selectKey, type JwkEntry } from '../../../../src/auth/jwks/jwk-key.js';
import { parseMaxAge } from '../../../../src/auth/jwks/jwks-fetcher.js';

const jwkOf = (k: { publicKey: { export(o: { format: 'jwk' }): object } }, extra: object = {}) => ({
  ...k.publicKey.export({ format: 'jwk' }),
  ...extra,
});
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaSmall = generateKeyPairSync('rsa', { modulusLength: 1024 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const ed = generateKeyPairSync('ed25519');

const entry = (jwk: object): JwkEntry => {
  const e = parseJwk(jwk);
  if (typeof e === 'string') throw new Error(e);
  return e;
};

describe('parseJwk', () => {
  it('lets an RSA key without alg verify every RS and PS algorithm, and one with alg only that one', () => {
    expect([...entry(jwkOf(rsa)).algs].sort()).toEqual(['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512']);
    expect([...entry(jwkOf(rsa, { alg: 'RS256' })).algs]).toEqual(['RS256']);
  });
  it('matches EC curves to ES algorithms and OKP Ed25519 to EdDSA', () => {
    expect([...entry(jwkOf(p256)).algs]).toEqual(['ES256']);
    expect([...entry(jwkOf(p384)).algs]).toEqual(['ES384']);
    expect([...entry(jwkOf(ed)).algs]).toEqual(['EdDSA']);
  });
  it('refuses keys that cannot verify: wrong alg for the kty, use enc, private members, small RSA, symmetric', () => {
    expect(parseJwk(jwkOf(p256, { alg: 'RS256' }))).toMatch(/kty "EC" does not fit RS256/);
    expect(parseJwk(jwkOf(rsa, { use: 'enc' }))).toBe('use "enc" is not "sig"');
    expect(parseJwk({ ...rsa.privateKey.export({ format: 'jwk' }) })).toBe('a public JWK must not contain "d"');
    expect(parseJwk(jwkOf(rsaSmall))).toMatch(/at least 2048 bits/);
    expect(parseJwk({ kty: 'oct', k: 'AAAA' })).toBe('a public JWK must not contain "k"');
    expect(parseJwk({ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' })).toMatch(/^invalid key/);
    expect(parseJwk('nope')).toBe('expected a JWK object');
  });
});

describe('selectKey', () => {
  const set = parseJwks({ keys: [jwkOf(rsa, { kid: 'a', alg: 'RS256' }), jwkOf(p256, { kid: 'b' }), { kty: 'bogus' }] });
  if (typeof set === 'string') throw new Error(set);
  const byKid = indexByKid(set.entries);
  it('finds a key by kid only when it fits the algorithm', () => {
    expect(selectKey(set.entries, byKid, 'a', 'RS256')).not.toBeNull();
    expect(selectKey(set.entries, byKid, 'a', 'RS384')).toBeNull();
    expect(selectKey(set.entries, byKid, 'b', 'RS256')).toBeNull();
    expect(selectKey(set.entries, byKid, 'zzz', 'RS256')).toBeNull();
  });
  it('without a kid, uses the only key fitting the algorithm', () => {
    expect(selectKey(set.entries, byKid, undefined, 'ES256')).not.toBeNull();
  });
  it('lists unusable keys as problems with their index', () => {
    expect(set.problems).toEqual(['keys[2]: unsupported kty "bogus"']);
  });
});

describe('parseMaxAge', () => {
  it('reads max-age, treats no-store/no-cache as 0, and null when absent', () => {
    expect(parseMaxAge('public, max-age=600')).toBe(600);
    expect(parseMaxAge('no-store')).toBe(0);
    expect(parseMaxAge('private, no-cache')).toBe(0);
    expect(parseMaxAge('public')).toBeNull();
    expect(parseMaxAge(undefined)).toBeNull();
  });
});
