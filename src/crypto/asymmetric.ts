// Verifies RS*/PS*/ES*/EdDSA JWS signatures inline with node:crypto; never throws, a wrong key type is just false.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../config/types.js';
import { JWS_DIGEST, fitsAlgorithm, jwsKeyInput } from './jws-algorithms.js';

/** Seam for the authenticator: `verifyAsymmetric` inline, or a libuv/pool verifier that answers with a Promise. */
export type AsymmetricVerify = (
  alg: JwtAlgorithm,
  key: KeyObject,
  signingInput: string | Buffer,
  signature: Buffer,
) => boolean | Promise<boolean>;

/**
 * True only when `signature` is a valid JWS signature of `signingInput` under `key` for `alg`.
 * HS* and unknown algorithms are false (HMAC has its own verifier).
 */
export function verifyAsymmetric(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): boolean {
  try {
    if (!fitsAlgorithm(alg, key, signature)) return false;
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
    return cryptoVerify(JWS_DIGEST[alg], data, jwsKeyInput(alg, key), signature);
  } catch {
    return false;
  }
}
