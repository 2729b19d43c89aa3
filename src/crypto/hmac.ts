// HMAC-SHA2 JWT signature verification: the native addon when it loads, node:crypto otherwise (same results).
// CONTRACT (implementation pending):
import type { HmacAlgorithm } from '../config/types.js';

export interface HmacVerifier {
  readonly engine: 'native' | 'node:crypto';
  /** Precomputes key state for one credential's secret; returns the slot to verify with. */
  addKey(algorithm: HmacAlgorithm, secret: Buffer): number;
  /**
   * One call per token: `token` is the whole compact JWT, `signingInputLength` the index of its second '.'.
   * Strictly base64url-decodes the signature segment (no '+', '/', bad length; '=' padding optional),
   * computes the HMAC over token[0, signingInputLength) and compares in constant time.
   */
  verify(slot: number, token: string, signingInputLength: number): boolean;
}

export declare function createHmacVerifier(options?: { forceFallback?: boolean }): HmacVerifier;
