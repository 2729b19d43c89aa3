import { describe, expect, it } from 'vitest';
import { createCredentialKeys, NO_KEY, NO_SECRET } from '../../../src/auth/credential-keys.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { buildConfig, KEYS } from './helpers.js';

describe('credential keys', () => {
  const hmac = createHmacVerifier();

  it('registers raw and base64-decoded HMAC slots for an HS credential', () => {
    const keys = createCredentialKeys(buildConfig([{ id: 'c1', credentials: [{ key: 'k', secret: 'aGVsbG8' }] }]), hmac);
    const k = keys.get('k')!;
    expect(k.isHmac).toBe(true);
    expect(k.alg).toBe('HS256');
    expect(k.hmacSlot).toBeGreaterThanOrEqual(0);
    expect(k.hmacSlotBase64).toBeGreaterThanOrEqual(0);
    expect(k.hmacSlotBase64).not.toBe(k.hmacSlot);
  });

  it('marks a secret that nginx base64url would refuse as unusable for secret_is_base64', () => {
    const keys = createCredentialKeys(
      buildConfig([
        {
          id: 'c1',
          credentials: [
            { key: 'std', secret: 'ab+/cd==' },
            { key: 'odd', secret: 'abcde' },
            { key: 'bang', secret: 'not base64!' },
          ],
        },
      ]),
      hmac,
    );
    for (const k of ['std', 'odd', 'bang']) {
      expect(keys.get(k)!.hmacSlotBase64).toBe(NO_KEY);
      expect(keys.get(k)!.hmacSlot).toBeGreaterThanOrEqual(0);
    }
  });

  it('marks an HS credential without a secret so that every token fails its signature', () => {
    const keys = createCredentialKeys(buildConfig([{ id: 'c1', credentials: [{ key: 'k', secret: null }] }]), hmac);
    expect(keys.get('k')!.hmacSlot).toBe(NO_SECRET);
  });

  it('keeps the public key of asymmetric credentials and never base64-decodes it', () => {
    const keys = createCredentialKeys(
      buildConfig([
        {
          id: 'c1',
          credentials: [
            { key: 'rs', algorithm: 'RS256', rsa_public_key: KEYS['rsa2048-a']!.publicPem },
            { key: 'es-none', algorithm: 'ES256', rsa_public_key: null },
            { key: 'es-junk', algorithm: 'ES256', rsa_public_key: 'garbage' },
          ],
        },
      ]),
      hmac,
    );
    expect(keys.get('rs')!.publicKey?.asymmetricKeyType).toBe('rsa');
    expect(keys.get('rs')!.isHmac).toBe(false);
    expect(keys.get('es-none')!.publicKey).toBeNull();
    expect(keys.get('es-junk')!.publicKey).toBeNull();
  });

  it('derives the public key from a private key PEM, as OpenSSL would', () => {
    const keys = createCredentialKeys(
      buildConfig([{ id: 'c1', credentials: [{ key: 'ed', algorithm: 'EdDSA', rsa_public_key: KEYS['ed25519-a']!.privatePem }] }]),
      hmac,
    );
    expect(keys.get('ed')!.publicKey?.type).toBe('public');
  });

  it('returns undefined for an unknown key', () => {
    expect(createCredentialKeys(buildConfig(), hmac).get('nope')).toBeUndefined();
  });
});
