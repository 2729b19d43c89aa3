// Checks that a credential's public key parses and fits its algorithm (RSA >= 2048 bits, the right EC curve, Ed25519/Ed448).
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from './types.js';

const CURVE_NAMES: Record<string, string> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };
/** The JOSE curve name (`crv`) each ECDSA algorithm requires. */
export const EC_JOSE_CURVE: Partial<Record<JwtAlgorithm, string>> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' };

const MIN_RSA_BITS = 2048;

/** Kong requires `rsa_public_key` for these (not for ES*). */
export function requiresPublicKey(alg: JwtAlgorithm): boolean {
  return alg.startsWith('RS') || alg.startsWith('PS') || alg === 'EdDSA';
}

/** Parses a PEM (public key, certificate or private key, as OpenSSL would) into a public KeyObject; null if it fails. */
export function parsePublicKey(pem: string): KeyObject | null {
  try {
    return createPublicKey(pem);
  } catch {
    return null;
  }
}

function describe(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss') return `${type === 'rsa' ? 'RSA' : 'RSA-PSS'} ${d.modulusLength ?? '?'}-bit`;
  if (type === 'ec') return `EC ${CURVE_NAMES[d.namedCurve ?? ''] ?? d.namedCurve ?? '?'}`;
  if (type === 'ed25519') return 'Ed25519';
  if (type === 'ed448') return 'Ed448';
  return String(type);
}

/** Returns `key does not fit algorithm ...` or null when the key suits the algorithm. */
export function keyFitError(alg: JwtAlgorithm, key: KeyObject): string | null {
  const type = key.asymmetricKeyType;
  const d = key.asymmetricKeyDetails ?? {};
  let expected: string | null = null;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    const rsaOk = type === 'rsa' || (alg.startsWith('PS') && type === 'rsa-pss');
    if (!rsaOk || (d.modulusLength ?? 0) < MIN_RSA_BITS) expected = `an RSA key of at least ${MIN_RSA_BITS} bits`;
  } else if (alg.startsWith('ES')) {
    const curve = EC_JOSE_CURVE[alg]!;
    if (type !== 'ec' || CURVE_NAMES[d.namedCurve ?? ''] !== curve) expected = `an EC ${curve} key`;
  } else if (alg === 'EdDSA') {
    if (type !== 'ed25519' && type !== 'ed448') expected = 'an Ed25519 or Ed448 key';
  }
  return expected === null ? null : `key does not fit algorithm ${alg} (expected ${expected}, got ${describe(key)})`;
}
