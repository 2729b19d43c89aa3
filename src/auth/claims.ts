// Kong's registered-claim checks (exp, nbf) and maximum_expiration, as small result codes with precomputable bodies.
import { CLAIM_MESSAGES } from '../errors.js';
import { AuthStatus, CLAIMS_STATUS_BASE } from './auth-status.js';

/**
 * Internal code: 0 = all good. Otherwise `expState + 3 * nbfState` (each 0 ok, 1 "must be a number",
 * 2 "token expired" / "token not valid yet"), or CLAIMS_EXCEED_MAXIMUM; `check` answers CLAIMS_STATUS_BASE + code.
 */
const CLAIMS_EXCEED_MAXIMUM = 9;
/** Codes run 0..CLAIMS_CODE_COUNT-1. */
const CLAIMS_CODE_COUNT = 10;

export interface ClaimsChecker {
  /** `exp`/`nbf` are the raw claim values (undefined when absent); `now` is Unix seconds. AuthStatus.ok or a claims status. */
  check(exp: unknown, nbf: unknown, now: number): AuthStatus;
  /** The exact 401 body for a claims status, e.g. `{"exp":"token expired"}`. */
  body(status: AuthStatus): string;
}

/**
 * claims_to_verify as Kong checks it: only JSON numbers pass the type check, `exp <= now` is expired,
 * `nbf > now` is not yet valid, all errors are collected; maximum_expiration (> 0) only after they pass:
 * it fails when exp is missing or `exp - now > maximum_expiration`. `leeway` (extension, seconds) widens all three
 * bounds by the same clock skew.
 */
export function createClaimsChecker(
  claimsToVerify: readonly ('exp' | 'nbf')[] | null,
  maximumExpiration: number,
  leeway = 0,
): ClaimsChecker {
  const order: Array<'exp' | 'nbf'> = [];
  for (const c of claimsToVerify ?? []) if (!order.includes(c)) order.push(c);
  const checkExp = order.includes('exp');
  const checkNbf = order.includes('nbf');
  const maxExp = Math.max(maximumExpiration, 0);

  const bodies: string[] = new Array<string>(CLAIMS_CODE_COUNT).fill('');
  for (let code = 1; code < CLAIMS_EXCEED_MAXIMUM; code++) {
    const expState = code % 3;
    const nbfState = Math.floor(code / 3);
    const errors: Record<string, string> = {};
    // Key order follows claims_to_verify (Kong's is undefined; single-key bodies are exact).
    for (const c of order) {
      if (c === 'exp' && expState !== 0) errors.exp = expState === 1 ? CLAIM_MESSAGES.mustBeNumber : CLAIM_MESSAGES.expired;
      if (c === 'nbf' && nbfState !== 0) errors.nbf = nbfState === 1 ? CLAIM_MESSAGES.mustBeNumber : CLAIM_MESSAGES.notYetValid;
    }
    bodies[code] = JSON.stringify(errors);
  }
  bodies[CLAIMS_EXCEED_MAXIMUM] = JSON.stringify({ exp: CLAIM_MESSAGES.exceedsMaximum });

  return {
    check(exp: unknown, nbf: unknown, now: number): AuthStatus {
      let code = 0;
      if (checkExp) {
        if (typeof exp !== 'number') code = 1;
        else if (exp + leeway <= now) code = 2;
      }
      if (checkNbf) {
        if (typeof nbf !== 'number') code += 3;
        else if (nbf > now + leeway) code += 6;
      }
      if (code !== 0) return (CLAIMS_STATUS_BASE + code) as AuthStatus;
      if (maxExp > 0 && (typeof exp !== 'number' || exp - now > maxExp + leeway)) return AuthStatus.exceedsMaximumExpiration;
      return AuthStatus.ok;
    },
    body(status: AuthStatus): string {
      return bodies[status - CLAIMS_STATUS_BASE] ?? '';
    },
  };
}
