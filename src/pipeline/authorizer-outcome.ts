// The authorizer's decision outcomes: the {result, reason} label pairs of portcullis_authorizer_decisions_total and their counters.
import type { AuthDecision } from '../auth/types.js';
import type { DataPlaneCounters } from './types.js';

export type AuthorizerCounter =
  | 'authzAllowedCredential'
  | 'authzAllowedAnonymous'
  | 'authzAllowedNoPlugin'
  | 'authzAllowedPreflight'
  | 'authzDeniedNoToken'
  | 'authzDeniedInvalidToken'
  | 'authzDeniedClaims'
  | 'authzDeniedForbidden'
  | 'authzErrorQueueFull'
  | 'authzErrorInternal'
  | 'authzNotFound'
  | 'authzBadRequest';

/** Every label pair, in the order the metric lists them. */
export const AUTHORIZER_OUTCOMES: ReadonlyArray<{ result: string; reason: string; counter: AuthorizerCounter & keyof DataPlaneCounters }> =
  [
    { result: 'allowed', reason: 'credential', counter: 'authzAllowedCredential' },
    { result: 'allowed', reason: 'anonymous', counter: 'authzAllowedAnonymous' },
    { result: 'allowed', reason: 'no_jwt_plugin', counter: 'authzAllowedNoPlugin' },
    { result: 'allowed', reason: 'preflight', counter: 'authzAllowedPreflight' },
    { result: 'denied', reason: 'no_token', counter: 'authzDeniedNoToken' },
    { result: 'denied', reason: 'invalid_token', counter: 'authzDeniedInvalidToken' },
    { result: 'denied', reason: 'claims', counter: 'authzDeniedClaims' },
    { result: 'denied', reason: 'forbidden', counter: 'authzDeniedForbidden' },
    { result: 'error', reason: 'queue_full', counter: 'authzErrorQueueFull' },
    { result: 'error', reason: 'internal', counter: 'authzErrorInternal' },
    { result: 'not_found', reason: 'no_route', counter: 'authzNotFound' },
    { result: 'bad_request', reason: 'malformed', counter: 'authzBadRequest' },
  ];

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
