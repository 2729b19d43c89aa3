// The node:crypto parameters of each JWS algorithm (digest, padding, PSS salt, curve, r||s length) and the cheap checks before a verify.
import { constants, type KeyObject, type SignKeyObjectInput, type VerifyKeyObjectInput } from 'node:crypto';
import type { JwtAlgorithm } from '../config/types.js';

/** The digest node:crypto hashes with for each algorithm; null for EdDSA, whose curve fixes its own. */
export const JWS_DIGEST: Readonly<Record<JwtAlgorithm, string | null>> = {
  HS256: 'sha256',
  HS384: 'sha384',
  HS512: 'sha512',
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
  EdDSA: null,
};
// RFC 7518 §3.5: the PSS salt is as long as the digest output.
const PSS_SALT: Record<string, number> = { PS256: 32, PS384: 48, PS512: 64 };
const EC_CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
// JOSE raw r||s lengths (RFC 7518 §3.4); DER or any other length is refused.
const EC_SIG_LENGTH: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };

export type JwsKeyInput = KeyObject | (SignKeyObjectInput & VerifyKeyObjectInput);

/** The key argument of crypto.sign/verify for an asymmetric `alg` (ECDSA signatures as raw r||s, as JOSE has them). */
export function jwsKeyInput(alg: JwtAlgorithm, key: KeyObject): JwsKeyInput {
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
      return { key, padding: constants.RSA_PKCS1_PADDING };
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[alg]! };
    case 'ES256':
    case 'ES384':
    case 'ES512':
      return { key, dsaEncoding: 'ieee-p1363' };
    default:
      return key;
  }
}

function allZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * False when `key` and `signature` cannot verify under `alg` (wrong key type or curve, wrong JOSE r||s
 * length, r or s zero per CVE-2022-21449, HS* or unknown alg): the answer is "invalid" with no crypto call.
 */
export function fitsAlgorithm(alg: JwtAlgorithm, key: KeyObject, signature: Buffer): boolean {
  if (key.type !== 'public' && key.type !== 'private') return false;
  const type = key.asymmetricKeyType;
  switch (alg) {
    case 'RS256':
    case 'RS384':
    case 'RS512':
      return type === 'rsa';
    case 'PS256':
    case 'PS384':
    case 'PS512':
      return type === 'rsa' || type === 'rsa-pss';
    case 'ES256':
    case 'ES384':
    case 'ES512': {
      if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVE[alg]) return false;
      const len = EC_SIG_LENGTH[alg]!;
      const half = len >>> 1;
      return signature.length === len && !allZero(signature, 0, half) && !allZero(signature, half, len);
    }
    case 'EdDSA':
      return (type === 'ed25519' && signature.length === 64) || (type === 'ed448' && signature.length === 114);
    default:
      return false;
  }
}
