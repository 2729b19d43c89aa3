import { describe, expect, it } from 'vitest';
import { AUTH_STATUS_COUNT, AuthStatus, STATUS_ANSWERS } from '../../../src/auth/auth-status.js';
import { buildPluginState } from '../../../src/auth/plugin-state.js';
import type { AuthDecision, AuthDeny } from '../../../src/auth/types.js';
import { AUTHORIZER_DECISIONS } from '../../../src/observability/metric-table.js';
import { authorizerCounter } from '../../../src/pipeline/authorizer-outcome.js';
import { compileDocument } from '../../helpers/data-plane-harness.js';

/** One route's jwt plugin with a realm that itself contains `error=`, so no answer could be told apart by its header. */
function pluginDenies(extra: Record<string, unknown> = {}): readonly AuthDeny[] {
  const config = compileDocument({
    _format_version: '3.0',
    consumers: [{ username: 'alice' }],
    services: [
      {
        name: 's',
        url: 'http://127.0.0.1:9',
        routes: [
          {
            name: 'r',
            paths: ['/p'],
            plugins: [{ name: 'jwt', config: { realm: 'error=x', claims_to_verify: ['exp', 'nbf'], maximum_expiration: 60, ...extra } }],
          },
        ],
      },
    ],
  });
  return buildPluginState(config, config.routes[0]!.jwt!).denies;
}

describe('authorizer outcomes', () => {
  const denies = pluginDenies();
  const counterOf = (status: AuthStatus) => authorizerCounter(denies[status]!);

  it('counts each refusal by the status it answers, not by its body or challenge', () => {
    expect(counterOf(AuthStatus.noToken)).toBe('authzDeniedNoToken');
    expect(counterOf(AuthStatus.invalidSignature)).toBe('authzDeniedInvalidToken');
    expect(counterOf(AuthStatus.badTokenJson)).toBe('authzDeniedInvalidToken');
    expect(counterOf(AuthStatus.noCredentials)).toBe('authzDeniedInvalidToken');
    expect(counterOf(AuthStatus.unknownKid)).toBe('authzDeniedInvalidToken');
    expect(counterOf(AuthStatus.scope)).toBe('authzDeniedForbidden');
    expect(counterOf(AuthStatus.role)).toBe('authzDeniedForbidden');
    expect(counterOf(AuthStatus.overloaded)).toBe('authzErrorQueueFull');
  });

  it('counts every exp, nbf, maximum_expiration, issuer and audience refusal as claims, whatever its auth reason', () => {
    // expNotNumber and exceedsMaximumExpiration are bad_token in portcullis_auth_total, yet claims here.
    for (const status of [AuthStatus.expNotNumber, AuthStatus.exceedsMaximumExpiration, AuthStatus.expired, AuthStatus.notYetValid]) {
      expect(counterOf(status)).toBe('authzDeniedClaims');
    }
    for (const status of [AuthStatus.issuerMissing, AuthStatus.audienceNotAllowed, AuthStatus.issuerNotAllowedAudienceNotAllowed]) {
      expect(counterOf(status)).toBe('authzDeniedClaims');
    }
  });

  it('counts allows, the preflight bypass and a missing anonymous consumer', () => {
    const missing = pluginDenies({ anonymous: 'nobody' });
    expect(missing[AuthStatus.anonymousMissing]).toMatchObject({
      status: 500,
      body: '{"message":"anonymous consumer nobody is configured but doesn\'t exist"}',
    });
    expect(authorizerCounter(missing[AuthStatus.anonymousMissing]!)).toBe('authzErrorInternal');
    expect(authorizerCounter({ kind: 'bypass', reason: 0 } as AuthDecision)).toBe('authzAllowedPreflight');
  });

  it('bumps only counters that portcullis_authorizer_decisions_total exports, for every status the table answers', () => {
    for (let status = 1; status < AUTH_STATUS_COUNT; status++) {
      if (STATUS_ANSWERS[status as AuthStatus] === undefined) continue;
      const d = denies[status]!;
      expect(d.authStatus).toBe(status);
      expect(AUTHORIZER_DECISIONS.series[authorizerCounter(d)]).toMatch(/^\{result="[a-z_]+",reason="[a-z_]+"\}$/);
    }
  });
});
