import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwtAlgorithm, JwtSecretEntity, ValidatedConfig } from '../../../src/config/types.js';
import { MintError, mintToken } from '../../../src/token/mint-token.js';

function configWith(...secrets: Array<Partial<JwtSecretEntity> & { key: string; algorithm: JwtAlgorithm }>): ValidatedConfig {
  return {
    jwt_secrets: secrets.map((s, i) => ({
      id: `id-${i}`,
      consumer: 'c',
      secret: null,
      rsa_public_key: null,
      tags: null,
      ...s,
    })),
  } as unknown as ValidatedConfig;
}

function decode(token: string) {
  const [h = '', p = '', s = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    input: `${h}.${p}`,
    signature: s,
  };
}

const pem = (key: { export(o: object): string | Buffer }, type: string) => key.export({ type, format: 'pem' }) as string;

describe('mintToken', () => {
  it('signs an HS256 token whose key claim is the credential key and exp one hour out', () => {
    const token = mintToken(configWith({ key: 'k1', algorithm: 'HS256', secret: 's3cret' }), { credentialKey: 'k1', now: 1000 });
    const { header, payload, input, signature } = decode(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ iss: 'k1', iat: 1000, exp: 4600 });
    expect(signature).toBe(createHmac('sha256', 's3cret').update(input).digest('base64url'));
  });

  it('uses the named key claim, extra claims, and no exp when expiresIn is 0', () => {
    const token = mintToken(configWith({ key: 'k1', algorithm: 'HS512', secret: 's' }), {
      credentialKey: 'k1',
      keyClaimName: 'kid',
      expiresIn: 0,
      claims: { sub: 'u1' },
      now: 5,
    });
    expect(decode(token).payload).toEqual({ kid: 'k1', iat: 5, sub: 'u1' });
  });

  it('signs with the base64url-decoded secret when asked', () => {
    const token = mintToken(configWith({ key: 'k1', algorithm: 'HS256', secret: 'c2VjcmV0' }), {
      credentialKey: 'k1',
      secretIsBase64: true,
    });
    const { input, signature } = decode(token);
    expect(signature).toBe(createHmac('sha256', 'secret').update(input).digest('base64url'));
  });

  it.each([
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['PS384', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['ES512', () => generateKeyPairSync('ec', { namedCurve: 'P-521' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
  ] as const)('signs %s with a private key matching the credential public key', (algorithm, pair) => {
    const { publicKey, privateKey } = pair();
    const config = configWith({ key: 'a', algorithm, rsa_public_key: pem(publicKey, 'spki') });
    const token = mintToken(config, { credentialKey: 'a', privateKeyPem: pem(privateKey, 'pkcs8') });
    expect(decode(token).header.alg).toBe(algorithm);
    if (algorithm === 'ES256') expect(Buffer.from(decode(token).signature, 'base64url')).toHaveLength(64);
  });

  it('refuses a private key that does not match the credential public key', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const config = configWith({ key: 'a', algorithm: 'RS256', rsa_public_key: pem(publicKey, 'spki') });
    expect(() => mintToken(config, { credentialKey: 'a', privateKeyPem: pem(other.privateKey, 'pkcs8') })).toThrow(
      /does not match credential 'a'/,
    );
  });

  it('names the known keys when the credential key is unknown', () => {
    expect(() => mintToken(configWith({ key: 'k1', algorithm: 'HS256', secret: 's' }), { credentialKey: 'nope' })).toThrow(
      new MintError("no jwt credential with key 'nope' in the config (keys: k1)"),
    );
  });

  it('asks for a private key for asymmetric credentials', () => {
    expect(() => mintToken(configWith({ key: 'a', algorithm: 'RS256' }), { credentialKey: 'a' })).toThrow(/--private-key FILE/);
  });
});
