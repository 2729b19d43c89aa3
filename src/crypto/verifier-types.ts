// Shared types of the asymmetric verifiers (inline, libuv, piscina pool): the mode and their counters.
import type { GatewaySettings } from '../config/types.js';

export type VerifyMode = GatewaySettings['asymmetric_verify'];

/** Counters every verifier keeps; read by observability. */
export interface VerifierStats {
  mode: VerifyMode;
  /** Verifications handed to a thread (pool or libuv). */
  submitted: number;
  completed: number;
  /** Verifications answered `overloaded` because the bounded queue was full (503). */
  rejectedFull: number;
  /** Submitted and not yet completed. */
  pending: number;
  /** Messages sent to the pool (each carries a batch of verifications). */
  batches: number;
  /** Key objects sent to pool threads (once per thread per key, not per task). */
  keyUploads: number;
  /** Pool batches that failed and were verified inline instead (pool mode only). */
  poolErrors?: number;
}

export function emptyVerifierStats(mode: VerifyMode): VerifierStats {
  return { mode, submitted: 0, completed: 0, rejectedFull: 0, pending: 0, batches: 0, keyUploads: 0 };
}
