import { describe, expect, it } from 'vitest';
import { authorizerCounter } from '../../../src/pipeline/authorizer-outcome.js';
import { AUTHORIZER_DECISIONS } from '../../../src/observability/metric-table.js';
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

  it('bumps only counters that portcullis_authorizer_decisions_total exports', () => {
    const outcomes = [deny(401, '{"message":"x"}', 'Bearer'), deny(403, '{}', null), deny(503, '{}', null), deny(500, '{}', null)];
    for (const d of outcomes) expect(AUTHORIZER_DECISIONS.series[authorizerCounter(d)]).toMatch(/^\{result="[a-z_]+",reason="[a-z_]+"\}$/);
  });
});
