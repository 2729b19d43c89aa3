import { createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JWS_DIGEST, fitsAlgorithm, jwsKeyInput } from '../../../src/crypto/jws-algorithms.js';
import type { JwtAlgorithm } from '../../../src/config/types.js';
import { KEYS, signature } from '../auth/helpers.js';

const INPUT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0';
const pub = (name: string) => createPublicKey(KEYS[name]!.publicPem);

describe('jws-algorithms', () => {
  const cases: Array<[JwtAlgorithm, string]> = [
    ['RS256', 'rsa2048-a'],
    ['PS384', 'rsa3072'],
    ['ES512', 'p521'],
    ['EdDSA', 'ed25519-a'],
  ];
  for (const [alg, name] of cases) {
    it(`verifies an independently made ${alg} signature with its digest and key input (${name})`, () => {
      const sig = signature(alg, INPUT, KEYS[name]!.privatePem);
      expect(fitsAlgorithm(alg, pub(name), sig)).toBe(true);
      expect(cryptoVerify(JWS_DIGEST[alg], Buffer.from(INPUT), jwsKeyInput(alg, pub(name)), sig)).toBe(true);
    });
  }

  it('names the digest of every HMAC algorithm and none for EdDSA', () => {
    expect([JWS_DIGEST.HS256, JWS_DIGEST.HS384, JWS_DIGEST.HS512, JWS_DIGEST.EdDSA]).toEqual(['sha256', 'sha384', 'sha512', null]);
  });

  it('refuses HS algorithms, a key of another family and an ES signature of the wrong length before any crypto', () => {
    const rsa = pub('rsa2048-a');
    expect(fitsAlgorithm('HS256', rsa, Buffer.alloc(32, 1))).toBe(false);
    expect(fitsAlgorithm('ES256', rsa, Buffer.alloc(64, 1))).toBe(false);
    expect(fitsAlgorithm('ES256', pub('p256-a'), Buffer.alloc(63, 1))).toBe(false);
    expect(fitsAlgorithm('ES256', pub('p256-a'), Buffer.alloc(64, 1))).toBe(true);
  });
});
