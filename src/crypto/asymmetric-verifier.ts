// Picks a thread's asymmetric verifier from the gateway settings: libuv's thread pool, a piscina pool, or inline.
import { availableParallelism } from 'node:os';
import type { VerifySettings } from '../config/validate-verify.js';
import { verifyAsymmetric as verifyInline, type AsymmetricVerify } from './asymmetric.js';
import { createLibuvVerifier } from './verify-libuv.js';
import { createVerifyPool } from './verify-pool.js';
import { emptyVerifierStats, type VerifierStats, type VerifyMode } from './verifier-types.js';

/** One thread's RS, PS, ES and EdDSA verification, whichever mode runs it. */
export interface AsymmetricVerifier {
  readonly mode: VerifyMode;
  readonly verify: AsymmetricVerify;
  stats(): VerifierStats;
  /** Ends the pool threads (pool mode) so the thread can exit. */
  close(): Promise<void>;
}

export interface AsymmetricVerifierOptions {
  /** Data-plane threads of the process: pool mode splits the spare cores between them. */
  workers: number;
  /** Told (once) that the pool failed a batch and verifies inline instead. */
  onPoolError?: (err: unknown) => void;
}

export function createAsymmetricVerifier(s: VerifySettings, options: AsymmetricVerifierOptions): AsymmetricVerifier {
  if (s.asymmetric_verify === 'libuv') return { mode: 'libuv', ...createLibuvVerifier({ maxPending: s.verify_queue_max }) };
  if (s.asymmetric_verify === 'pool') {
    // One pool per data-plane thread: split the spare cores between them, at least one thread each.
    const auto = Math.max(1, Math.floor((availableParallelism() - 1) / Math.max(1, options.workers)));
    let reported = false;
    const pool = createVerifyPool({
      threads: s.verify_pool_threads > 0 ? s.verify_pool_threads : auto,
      maxPending: s.verify_queue_max,
      onError(err) {
        if (reported) return;
        reported = true;
        options.onPoolError?.(err);
      },
    });
    return { mode: 'pool', ...pool };
  }
  return { mode: 'inline', verify: verifyInline, stats: () => emptyVerifierStats('inline'), close: async () => undefined };
}
