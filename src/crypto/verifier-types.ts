// Shared types of the asymmetric verifiers (inline, libuv, piscina pool): the mode, counters, and the queue-full error.
import type { GatewaySettings } from '../config/types.js';
import { ERROR_CODES, hasErrorCode, PortcullisError } from '../portcullis-error.js';

export type VerifyMode = GatewaySettings['asymmetric_verify'];

/** Counters every verifier keeps; read by observability. */
export interface VerifierStats {
  mode: VerifyMode;
  /** Verifications handed to a thread (pool or libuv). */
  submitted: number;
  completed: number;
  /** Verifications refused because the bounded queue was full (answered 503). */
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

/**
 * Thrown synchronously by a verifier whose queue is full; the authenticator answers 503
 * `GATEWAY_MESSAGES.verifyQueueFull`. One instance is reused: no stack capture per refusal.
 */
export class PoolFullError extends PortcullisError {
  constructor() {
    super(ERROR_CODES.verifyQueueFull, 'asymmetric verification queue is full');
  }
}

export function isPoolFullError(err: unknown): err is PoolFullError {
  return hasErrorCode(err, ERROR_CODES.verifyQueueFull);
}
