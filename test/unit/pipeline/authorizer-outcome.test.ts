import { describe, expect, it } from 'vitest';
import { AUTHORIZER_OUTCOMES, authorizerCounter } from '../../../src/pipeline/authorizer-outcome.js';
import { emptyCounters } from '../../../src/observability/counters.js';
import { AuthReason, type AuthDecision } from '../../../src/auth/types.js';

const deny = (status: number, body: string, wwwAuthenticate: string | null): AuthDecision => ({
  kind: 'deny',
  status,
  body,
  wwwAuthenticate,
  reason: AuthReason.badToken,
});

describe('authorizer outcomes', () => {
  it('derives the reason of a refusal from the answer Kong gives', () => {
    expect(authorizerCounter(deny(401, '{"message":"Unauthorized"}', 'Bearer'))).toBe('authzDeniedNoToken');
    expect(authorizerCounter(deny(401, '{"message":"Invalid signature"}', 'Bearer error="invalid_token"'))).toBe('authzDeniedInvalidToken');
    expect(authorizerCounter(deny(401, '{"exp":"token expired"}', 'Bearer realm="x", error="invalid_token"'))).toBe('authzDeniedClaims');
    expect(authorizerCounter(deny(403, '{"message":"Forbidden"}', null))).toBe('authzDeniedForbidden');
    expect(authorizerCounter(deny(503, '{"message":"x"}', null))).toBe('authzErrorQueueFull');
    expect(authorizerCounter(deny(500, '{"message":"x"}', null))).toBe('authzErrorInternal');
    expect(authorizerCounter({ kind: 'bypass', reason: AuthReason.ok })).toBe('authzAllowedPreflight');
  });

  it('has one data-plane counter per label pair, and no pair twice', () => {
    const counters = emptyCounters();
    for (const o of AUTHORIZER_OUTCOMES) expect(counters[o.counter]).toBe(0);
    expect(new Set(AUTHORIZER_OUTCOMES.map((o) => `${o.result}/${o.reason}`)).size).toBe(AUTHORIZER_OUTCOMES.length);
    expect(new Set(AUTHORIZER_OUTCOMES.map((o) => o.counter)).size).toBe(AUTHORIZER_OUTCOMES.length);
  });
});
