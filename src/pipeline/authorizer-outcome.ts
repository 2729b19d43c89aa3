// The authorizer's decision outcomes: which portcullis_authorizer_decisions_total counter a jwt-stage decision bumps.
import { AUTH_STATUS_COUNT, AuthStatus, isClaimsStatus, isIssuerAudienceStatus } from '../auth/auth-status.js';
import type { AuthDecision } from '../auth/types.js';
import type { AUTHORIZER_DECISIONS } from '../observability/metric-table.js';

/** A slot of portcullis_authorizer_decisions_total (its label pairs are in observability/metric-table.ts). */
export type AuthorizerCounter = keyof typeof AUTHORIZER_DECISIONS.series;

/** The counter of a refusal, by the status it answers (never by its body or challenge). */
function denyCounter(status: AuthStatus): AuthorizerCounter {
  if (status === AuthStatus.noToken) return 'authzDeniedNoToken';
  if (status === AuthStatus.overloaded) return 'authzErrorQueueFull';
  if (status === AuthStatus.anonymousMissing) return 'authzErrorInternal';
  if (status === AuthStatus.scope || status === AuthStatus.role) return 'authzDeniedForbidden';
  // exp/nbf/maximum_expiration and iss/aud refusals: the token is sound, its claims are not accepted.
  if (isClaimsStatus(status) || isIssuerAudienceStatus(status)) return 'authzDeniedClaims';
  return 'authzDeniedInvalidToken';
}

/** Indexed by AuthStatus, built once: a refusal's counter is one array read. */
const DENY_COUNTERS: readonly AuthorizerCounter[] = Object.freeze(
  Array.from({ length: AUTH_STATUS_COUNT }, (_, status) => denyCounter(status as AuthStatus)),
);

/** The counter for one jwt-stage decision. */
export function authorizerCounter(decision: AuthDecision): AuthorizerCounter {
  if (decision.kind === 'bypass') return 'authzAllowedPreflight';
  if (decision.kind === 'allow') return decision.anonymous ? 'authzAllowedAnonymous' : 'authzAllowedCredential';
  return DENY_COUNTERS[decision.authStatus] ?? 'authzErrorInternal';
}
