import { createPublicKey, constants, sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import { verifyAsymmetric } from '../../../src/crypto/asymmetric.js';
import type { JwtAlgorithm } from '../../../src/config/types.js';
import { KEYS, signature } from '../auth/helpers.js';

const INPUT = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0';
const pub = (name: string) => createPublicKey(KEYS[name]!.publicPem);
const priv = (name: string) => KEYS[name]!.privatePem;

describe('verifyAsymmetric', () => {
  const cases: Array<[JwtAlgorithm, string]> = [
    ['RS256', 'rsa2048-a'],
    ['RS384', 'rsa3072'],
    ['RS512', 'rsa4096'],
    ['PS256', 'rsa2048-a'],
    ['PS384', 'rsa3072'],
    ['PS512', 'rsa4096'],
    ['ES256', 'p256-a'],
    ['ES384', 'p384'],
    ['ES512', 'p521'],
    ['EdDSA', 'ed25519-a'],
    ['EdDSA', 'ed448'],
  ];
  for (const [alg, name] of cases) {
    it(`accepts a ${alg} signature made with the ${name} private key`, () => {
      expect(verifyAsymmetric(alg, pub(name), INPUT, signature(alg, INPUT, priv(name)))).toBe(AuthStatus.ok);
    });
    it(`rejects a ${alg} signature over a tampered input (${name})`, () => {
      expect(verifyAsymmetric(alg, pub(name), `${INPUT}x`, signature(alg, INPUT, priv(name)))).toBe(AuthStatus.invalidSignature);
    });
  }

  it('accepts RSA keys of 2048, 3072 and 4096 bits for every RS and PS algorithm', () => {
    for (const name of ['rsa2048-a', 'rsa3072', 'rsa4096']) {
      for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const) {
        expect(verifyAsymmetric(alg, pub(name), INPUT, signature(alg, INPUT, priv(name)))).toBe(AuthStatus.ok);
      }
    }
  });

  it('rejects a signature from another key of the same type', () => {
    expect(verifyAsymmetric('RS256', pub('rsa2048-b'), INPUT, signature('RS256', INPUT, priv('rsa2048-a')))).toBe(
      AuthStatus.invalidSignature,
    );
    expect(verifyAsymmetric('ES256', pub('p256-b'), INPUT, signature('ES256', INPUT, priv('p256-a')))).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('EdDSA', pub('ed25519-b'), INPUT, signature('EdDSA', INPUT, priv('ed25519-a')))).toBe(
      AuthStatus.invalidSignature,
    );
  });

  it('rejects PKCS#1 v1.5 under PS256 and PSS under RS256', () => {
    const key = pub('rsa2048-a');
    expect(verifyAsymmetric('PS256', key, INPUT, signature('RS256', INPUT, priv('rsa2048-a')))).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('RS256', key, INPUT, signature('PS256', INPUT, priv('rsa2048-a')))).toBe(AuthStatus.invalidSignature);
  });

  it('rejects a PSS signature whose salt length is not the digest length', () => {
    const sig = cryptoSign('sha256', Buffer.from(INPUT), {
      key: priv('rsa2048-a'),
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 20,
    });
    expect(verifyAsymmetric('PS256', pub('rsa2048-a'), INPUT, sig)).toBe(AuthStatus.invalidSignature);
  });

  it('returns false, never throws, for a key of the wrong type', () => {
    const rsaSig = signature('RS256', INPUT, priv('rsa2048-a'));
    expect(verifyAsymmetric('ES256', pub('rsa2048-a'), INPUT, Buffer.alloc(64, 1))).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('RS256', pub('p256-a'), INPUT, rsaSig)).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('PS256', pub('p256-a'), INPUT, rsaSig)).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('EdDSA', pub('rsa2048-a'), INPUT, rsaSig)).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('HS256', pub('rsa2048-a'), INPUT, rsaSig)).toBe(AuthStatus.invalidSignature);
  });

  it('rejects an ES signature made on another curve (wrong curve for the alg)', () => {
    // SHA-256 with a P-384 key: 96 bytes, and the key would not be P-256 either.
    const sig = cryptoSign('sha256', Buffer.from(INPUT), { key: priv('p384'), dsaEncoding: 'ieee-p1363' });
    expect(verifyAsymmetric('ES256', pub('p256-a'), INPUT, sig)).toBe(AuthStatus.invalidSignature);
    // A P-384 key configured for ES256 is refused even with a well-formed 96-byte ES384 signature.
    expect(verifyAsymmetric('ES256', pub('p384'), INPUT, signature('ES384', INPUT, priv('p384')))).toBe(AuthStatus.invalidSignature);
  });

  it('rejects DER-encoded ECDSA signatures', () => {
    const der = cryptoSign('sha256', Buffer.from(INPUT), { key: priv('p256-a'), dsaEncoding: 'der' });
    expect(verifyAsymmetric('ES256', pub('p256-a'), INPUT, der)).toBe(AuthStatus.invalidSignature);
  });

  it('rejects ECDSA signatures with r or s zero (CVE-2022-21449)', () => {
    for (const [alg, name, len] of [
      ['ES256', 'p256-a', 64],
      ['ES384', 'p384', 96],
      ['ES512', 'p521', 132],
    ] as const) {
      expect(verifyAsymmetric(alg, pub(name), INPUT, Buffer.alloc(len))).toBe(AuthStatus.invalidSignature);
      const good = signature(alg, INPUT, priv(name));
      const zeroR = Buffer.from(good);
      zeroR.fill(0, 0, len / 2);
      const zeroS = Buffer.from(good);
      zeroS.fill(0, len / 2);
      expect(verifyAsymmetric(alg, pub(name), INPUT, zeroR)).toBe(AuthStatus.invalidSignature);
      expect(verifyAsymmetric(alg, pub(name), INPUT, zeroS)).toBe(AuthStatus.invalidSignature);
    }
  });

  it('rejects ES signatures one byte short or long', () => {
    const good = signature('ES256', INPUT, priv('p256-a'));
    expect(verifyAsymmetric('ES256', pub('p256-a'), INPUT, good.subarray(0, 63))).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('ES256', pub('p256-a'), INPUT, Buffer.concat([good, Buffer.alloc(1)]))).toBe(AuthStatus.invalidSignature);
  });

  it('rejects an Ed25519 signature under an Ed448 key and vice versa', () => {
    expect(verifyAsymmetric('EdDSA', pub('ed448'), INPUT, signature('EdDSA', INPUT, priv('ed25519-a')))).toBe(AuthStatus.invalidSignature);
    expect(verifyAsymmetric('EdDSA', pub('ed25519-a'), INPUT, signature('EdDSA', INPUT, priv('ed448')))).toBe(AuthStatus.invalidSignature);
  });

  it('accepts the signing input as a Buffer too, and an empty signature is false', () => {
    const sig = signature('RS256', INPUT, priv('rsa2048-a'));
    expect(verifyAsymmetric('RS256', pub('rsa2048-a'), Buffer.from(INPUT), sig)).toBe(AuthStatus.ok);
    expect(verifyAsymmetric('RS256', pub('rsa2048-a'), INPUT, Buffer.alloc(0))).toBe(AuthStatus.invalidSignature);
  });
});
