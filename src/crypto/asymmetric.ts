// Verifies RS*/PS*/ES*/EdDSA JWS signatures inline with node:crypto; never throws, a wrong key type is just false.
import { verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../config/types.js';

/** Seam for the authenticator: inline today, a worker pool (returning a Promise) later. */
export type AsymmetricVerify = (
  alg: JwtAlgorithm,
  key: KeyObject,
  signingInput: string | Buffer,
  signature: Buffer,
) => boolean | Promise<boolean>;

const DIGEST: Record<string, string> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
};
// RFC 7518 §3.5: the PSS salt is as long as the digest output.
const PSS_SALT: Record<string, number> = { PS256: 32, PS384: 48, PS512: 64 };
const EC_CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
// JOSE raw r||s lengths (RFC 7518 §3.4); DER or any other length is refused.
const EC_SIG_LENGTH: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };

function allZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * True only when `signature` is a valid JWS signature of `signingInput` under `key` for `alg`.
 * HS* and unknown algorithms are false (HMAC has its own verifier).
 */
export function verifyAsymmetric(
  alg: JwtAlgorithm,
  key: KeyObject,
  signingInput: string | Buffer,
  signature: Buffer,
): boolean {
  try {
    if (key.type !== 'public' && key.type !== 'private') return false;
    const type = key.asymmetricKeyType;
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
    switch (alg) {
      case 'RS256': case 'RS384': case 'RS512':
        if (type !== 'rsa') return false;
        return cryptoVerify(DIGEST[alg], data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
      case 'PS256': case 'PS384': case 'PS512':
        if (type !== 'rsa' && type !== 'rsa-pss') return false;
        return cryptoVerify(DIGEST[alg], data, {
          key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[alg],
        }, signature);
      case 'ES256': case 'ES384': case 'ES512': {
        if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVE[alg]) return false;
        const len = EC_SIG_LENGTH[alg];
        if (signature.length !== len) return false;
        // CVE-2022-21449 ("psychic signatures"): r = 0 or s = 0 must never verify.
        const half = len >>> 1;
        if (allZero(signature, 0, half) || allZero(signature, half, len)) return false;
        return cryptoVerify(DIGEST[alg], data, { key, dsaEncoding: 'ieee-p1363' }, signature);
      }
      case 'EdDSA':
        if (type === 'ed25519') return signature.length === 64 && cryptoVerify(null, data, key, signature);
        if (type === 'ed448') return signature.length === 114 && cryptoVerify(null, data, key, signature);
        return false;
      default:
        return false;
    }
  } catch {
    return false;
  }
}
