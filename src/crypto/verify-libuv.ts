// Verifies RS*/PS*/ES*/EdDSA JWS signatures on libuv's thread pool (callback crypto.verify), bounded in flight.
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../config/types.js';
import { JWS_DIGEST, fitsAlgorithm, jwsKeyInput } from './jws-algorithms.js';
import { emptyVerifierStats, PoolFullError, type VerifierStats } from './verifier-types.js';

export interface LibuvVerifierOptions {
  /** Verifications in flight before `PoolFullError` (default 4096). */
  maxPending?: number;
}

export interface LibuvVerifier {
  verify(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): boolean | Promise<boolean>;
  stats(): VerifierStats;
  close(): Promise<void>;
}

export function createLibuvVerifier(options: LibuvVerifierOptions = {}): LibuvVerifier {
  const maxPending = options.maxPending ?? 4096;
  const full = new PoolFullError();
  const stats = emptyVerifierStats('libuv');

  return {
    verify(alg, key, signingInput, signature) {
      // The cheap checks run on the event loop, before any thread is involved.
      if (!fitsAlgorithm(alg, key, signature)) return false;
      if (stats.pending >= maxPending) {
        stats.rejectedFull++;
        throw full;
      }
      const data = typeof signingInput === 'string' ? Buffer.from(signingInput, 'latin1') : signingInput;
      stats.submitted++;
      stats.pending++;
      return new Promise<boolean>((resolve) => {
        try {
          cryptoVerify(JWS_DIGEST[alg], data, jwsKeyInput(alg, key), signature, (err, ok) => {
            stats.pending--;
            stats.completed++;
            resolve(err === null && ok === true);
          });
        } catch {
          stats.pending--;
          stats.completed++;
          resolve(false);
        }
      });
    },
    stats: () => ({ ...stats }),
    close: async () => undefined,
  };
}
