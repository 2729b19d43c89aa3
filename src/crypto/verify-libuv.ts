// Verifies RS*/PS*/ES*/EdDSA JWS signatures on libuv's thread pool (callback crypto.verify), bounded in flight.
import { verify as cryptoVerify, constants, type KeyObject, type VerifyKeyObjectInput, type VerifyPublicKeyInput } from 'node:crypto';
import type { JwtAlgorithm } from '../config/types.js';
import { PoolFullError, type VerifierStats } from './verifier-types.js';

const DIGEST: Record<string, string> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
};
const PSS_SALT: Record<string, number> = { PS256: 32, PS384: 48, PS512: 64 };
const EC_CURVE: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };
const EC_SIG_LENGTH: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };

export interface VerifyCall {
  readonly digest: string | null;
  readonly key: KeyObject | VerifyKeyObjectInput | VerifyPublicKeyInput;
}

function allZero(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * The same cheap checks as the inline verifier (key type and curve, JOSE r||s length, zero r/s per
 * CVE-2022-21449), done on the event loop before any thread is involved; null means "false" at once.
 */
export function prepareVerifyCall(alg: JwtAlgorithm, key: KeyObject, signature: Buffer): VerifyCall | null {
  if (key.type !== 'public' && key.type !== 'private') return null;
  const type = key.asymmetricKeyType;
  switch (alg) {
    case 'RS256': case 'RS384': case 'RS512':
      return type === 'rsa' ? { digest: DIGEST[alg]!, key: { key, padding: constants.RSA_PKCS1_PADDING } } : null;
    case 'PS256': case 'PS384': case 'PS512':
      if (type !== 'rsa' && type !== 'rsa-pss') return null;
      return { digest: DIGEST[alg]!, key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PSS_SALT[alg] } };
    case 'ES256': case 'ES384': case 'ES512': {
      if (type !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== EC_CURVE[alg]) return null;
      const len = EC_SIG_LENGTH[alg]!;
      if (signature.length !== len) return null;
      const half = len >>> 1;
      if (allZero(signature, 0, half) || allZero(signature, half, len)) return null;
      return { digest: DIGEST[alg]!, key: { key, dsaEncoding: 'ieee-p1363' } };
    }
    case 'EdDSA':
      if (type === 'ed25519') return signature.length === 64 ? { digest: null, key } : null;
      if (type === 'ed448') return signature.length === 114 ? { digest: null, key } : null;
      return null;
    default:
      return null;
  }
}

/** The same checks as prepareVerifyCall without building the call: false means the answer is "invalid" at once. */
export function fitsAlgorithm(alg: JwtAlgorithm, key: KeyObject, signature: Buffer): boolean {
  if (key.type !== 'public' && key.type !== 'private') return false;
  const type = key.asymmetricKeyType;
  switch (alg) {
    case 'RS256': case 'RS384': case 'RS512':
      return type === 'rsa';
    case 'PS256': case 'PS384': case 'PS512':
      return type === 'rsa' || type === 'rsa-pss';
    case 'ES256': case 'ES384': case 'ES512': {
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

export interface LibuvVerifierOptions {
  /** Verifications in flight before `PoolFullError` (default 4096). */
  maxPending?: number;
}

export interface LibuvVerifier {
  verify(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): boolean | Promise<boolean>;
  stats(): VerifierStats;
  close(): Promise<void>;
}

const FALSE = Promise.resolve(false);

export function createLibuvVerifier(options: LibuvVerifierOptions = {}): LibuvVerifier {
  const maxPending = options.maxPending ?? 4096;
  const full = new PoolFullError();
  const stats: VerifierStats = { mode: 'libuv', submitted: 0, completed: 0, rejectedFull: 0, pending: 0, batches: 0, keyUploads: 0 };

  return {
    verify(alg, key, signingInput, signature) {
      const call = prepareVerifyCall(alg, key, signature);
      if (call === null) return false;
      if (stats.pending >= maxPending) {
        stats.rejectedFull++;
        throw full;
      }
      const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
      stats.submitted++;
      stats.pending++;
      return new Promise<boolean>((resolve) => {
        try {
          cryptoVerify(call.digest, data, call.key, signature, (err, ok) => {
            stats.pending--;
            stats.completed++;
            resolve(err === null && ok === true);
          });
        } catch {
          stats.pending--;
          stats.completed++;
          resolve(false);
        }
      }).catch(() => FALSE);
    },
    stats: () => ({ ...stats }),
    close: async () => undefined,
  };
}
