// The authorizer's decision outcomes: which portcullis_authorizer_decisions_total counter a jwt-stage decision bumps.
import type { AuthDecision } from '../auth/types.js';
import type { AUTHORIZER_DECISIONS } from '../observability/metric-table.js';

/** A slot of portcullis_authorizer_decisions_total (its label pairs are in observability/metric-table.ts). */
export type AuthorizerCounter = keyof typeof AUTHORIZER_DECISIONS.series;

/**
 * The counter for one jwt-stage decision. The decision carries no reason code yet, so it is read off the
 * response Kong would send: the one place to switch once decisions name their reason.
 */
export function authorizerCounter(decision: AuthDecision): AuthorizerCounter {
  if (decision.kind === 'bypass') return 'authzAllowedPreflight';
  if (decision.kind === 'allow') return decision.anonymous ? 'authzAllowedAnonymous' : 'authzAllowedCredential';
  switch (decision.status) {
    case 401:
      // No token: Kong's bare challenge, without `error="invalid_token"`; claim failures are `{"exp":...}`-style bodies.
      if (decision.wwwAuthenticate === null || !decision.wwwAuthenticate.includes('error=')) return 'authzDeniedNoToken';
      return decision.body.startsWith('{"message"') ? 'authzDeniedInvalidToken' : 'authzDeniedClaims';
    case 403:
      return 'authzDeniedForbidden';
    case 503:
      return 'authzErrorQueueFull';
  }
  return 'authzErrorInternal';
}
