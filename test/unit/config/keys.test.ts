import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { errorLines, valid } from './helpers.js';

const pem = (k: { publicKey: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer } }) =>
  String(k.publicKey.export({ type: 'spki', format: 'pem' }));
const rsa2048 = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const rsa1024 = pem(generateKeyPairSync('rsa', { modulusLength: 1024 }));
const p256 = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
const p521 = pem(generateKeyPairSync('ec', { namedCurve: 'P-521' }));
const ed25519 = pem(generateKeyPairSync('ed25519'));
const ed448 = pem(generateKeyPairSync('ed448'));

const withSecret = (algorithm: string, rsa_public_key?: string) => ({
  _format_version: '3.0',
  consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', algorithm, ...(rsa_public_key === undefined ? {} : { rsa_public_key }) }] }],
});
const P = '$.consumers[0].jwt_secrets[0].rsa_public_key';

describe('credential keys', () => {
  it('accepts keys that fit their algorithm', () => {
    for (const [alg, key] of [
      ['RS256', rsa2048],
      ['PS512', rsa2048],
      ['ES256', p256],
      ['ES384', p384],
      ['ES512', p521],
      ['EdDSA', ed25519],
      ['EdDSA', ed448],
    ] as const) {
      expect(valid(withSecret(alg, key)).jwt_secrets[0]!.rsa_public_key).toBe(key);
    }
  });
  it('accepts ES* without a key (it fails at request time, as Kong)', () => {
    expect(valid(withSecret('ES256')).jwt_secrets[0]!.rsa_public_key).toBeNull();
  });
  it('reports a key that does not parse as invalid key', () => {
    expect(errorLines(withSecret('RS256', '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkq\n-----END PUBLIC KEY-----\n'))).toEqual([
      `${P}: invalid key`,
    ]);
    expect(errorLines(withSecret('ES256', 'garbage'))).toEqual([`${P}: invalid key`]);
  });
  it('reports a key that does not fit the algorithm', () => {
    expect(errorLines(withSecret('ES384', p256))).toEqual([
      `${P}: key does not fit algorithm ES384 (expected an EC P-384 key, got EC P-256)`,
    ]);
    expect(errorLines(withSecret('ES512', rsa2048))).toEqual([
      `${P}: key does not fit algorithm ES512 (expected an EC P-521 key, got RSA 2048-bit)`,
    ]);
    expect(errorLines(withSecret('RS256', rsa1024))).toEqual([
      `${P}: key does not fit algorithm RS256 (expected an RSA key of at least 2048 bits, got RSA 1024-bit)`,
    ]);
    expect(errorLines(withSecret('PS256', p256))).toEqual([
      `${P}: key does not fit algorithm PS256 (expected an RSA key of at least 2048 bits, got EC P-256)`,
    ]);
    expect(errorLines(withSecret('EdDSA', p256))).toEqual([
      `${P}: key does not fit algorithm EdDSA (expected an Ed25519 or Ed448 key, got EC P-256)`,
    ]);
  });
  it('ignores rsa_public_key on HS* credentials', () => {
    valid({ _format_version: '3.0', consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', secret: 's', rsa_public_key: 'x' }] }] });
  });
});
