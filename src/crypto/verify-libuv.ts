// Verifies RS*/PS*/ES*/EdDSA JWS signatures on libuv's thread pool (callback crypto.verify), bounded in flight.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { AuthStatus } from '../auth/auth-status.js';
import type { JwtAlgorithm } from '../config/types.js';
import type { SignatureStatus } from './asymmetric.js';
import { JWS_DIGEST, fitsAlgorithm, jwsKeyInput } from './jws-algorithms.js';
import { emptyVerifierStats, type VerifierStats } from './verifier-types.js';

export interface LibuvVerifierOptions {
  /** Verifications in flight before the answer is `overloaded` (default 4096). */
  maxPending?: number;
}

export interface LibuvVerifier {
  /** A status at once for an unusable key/signature or a full queue, else a Promise of `ok` / `invalidSignature`. */
  verify(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): SignatureStatus | Promise<SignatureStatus>;
  stats(): VerifierStats;
  close(): Promise<void>;
}

export function createLibuvVerifier(options: LibuvVerifierOptions = {}): LibuvVerifier {
  const maxPending = options.maxPending ?? 4096;
  const stats = emptyVerifierStats('libuv');

  return {
    verify(alg, key, signingInput, signature) {
      // The cheap checks run on the event loop, before any thread is involved.
      if (!fitsAlgorithm(alg, key, signature)) return AuthStatus.invalidSignature;
      if (stats.pending >= maxPending) {
        stats.rejectedFull++;
        return AuthStatus.overloaded;
      }
      const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
      stats.submitted++;
      stats.pending++;
      return new Promise<SignatureStatus>((resolve) => {
        try {
          cryptoVerify(JWS_DIGEST[alg], data, jwsKeyInput(alg, key), signature, (err, ok) => {
            stats.pending--;
            stats.completed++;
            resolve(err === null && ok === true ? AuthStatus.ok : AuthStatus.invalidSignature);
          });
        } catch {
          stats.pending--;
          stats.completed++;
          resolve(AuthStatus.invalidSignature);
        }
      });
    },
    stats: () => ({ ...stats }),
    close: async () => undefined,
  };
}
