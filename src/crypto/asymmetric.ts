// Verifies RS*/PS*/ES*/EdDSA JWS signatures inline with node:crypto; answers an AuthStatus, a wrong key type is just invalidSignature.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AuthStatus } from '../auth/auth-status.js';
import type { JwtAlgorithm } from '../config/types.js';
import { JWS_DIGEST, fitsAlgorithm, jwsKeyInput } from './jws-algorithms.js';

/** What a signature check can answer: `ok`, `invalidSignature`, or `overloaded` (a bounded queue is full; 503). */
export type SignatureStatus = typeof AuthStatus.ok | typeof AuthStatus.invalidSignature | typeof AuthStatus.overloaded;

/**
 * Seam for the authenticator: `verifyAsymmetric` inline, or a libuv/pool verifier that answers with a Promise.
 * Every expected outcome is a status (synchronous when known at once: an unusable key, a full queue); a Promise
 * settles with one and never rejects for a bad signature.
 */
export type AsymmetricVerify = (
  alg: JwtAlgorithm,
  key: KeyObject,
  signingInput: string | Buffer,
  signature: Buffer,
) => SignatureStatus | Promise<SignatureStatus>;

/**
 * `ok` only when `signature` is a valid JWS signature of `signingInput` under `key` for `alg`, else `invalidSignature`.
 * HS* and unknown algorithms are `invalidSignature` (HMAC has its own verifier).
 */
export function verifyAsymmetric(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): SignatureStatus {
  try {
    if (!fitsAlgorithm(alg, key, signature)) return AuthStatus.invalidSignature;
    const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
    return cryptoVerify(JWS_DIGEST[alg], data, jwsKeyInput(alg, key), signature) ? AuthStatus.ok : AuthStatus.invalidSignature;
  } catch {
    return AuthStatus.invalidSignature;
  }
}
