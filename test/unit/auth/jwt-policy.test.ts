import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { claimHeaderText } from '../../../src/auth/jwt-policy.js';
import type { AuthOutcome } from '../../../src/auth/types.js';
import type { JwtPluginConfig } from '../../../src/config/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { bearer, buildConfig, denied, hs256, NOW, plugin, sync } from './helpers.js';

const hmac = createHmacVerifier();
const WA1 = 'Bearer error="invalid_token"';

function auth() {
  let now = NOW;
  const a = createAuthenticator(buildConfig(), { now: () => now, hmac });
  return {
    a,
    advance: (s: number) => {
      now += s;
    },
  };
}
const allowed = (o: AuthOutcome) => expect(sync(o).kind).toBe('allow');
const token = (claims: object) => hs256({ iss: 'alice-key', ...claims });
/** Runs a check twice: the verifying miss and the cache hit must decide alike. */
function both(a: ReturnType<typeof auth>['a'], p: ReturnType<typeof plugin>, t: string, check: (o: AuthOutcome) => void): void {
  check(a.authenticate(p, bearer(t)));
  check(a.authenticate(p, bearer(t)));
}

describe('jwt policy: leeway', () => {
  const p = plugin({ claims_to_verify: ['exp', 'nbf'], leeway: 30 });
  it('accepts a token expired less than leeway seconds ago, on the miss and on the cache hit', () => {
    const { a } = auth();
    both(a, p, token({ exp: NOW - 29, nbf: NOW - 100 }), allowed);
  });
  it('refuses a token expired leeway seconds ago with {"exp":"token expired"}', () => {
    const { a } = auth();
    expect(denied(a.authenticate(p, bearer(token({ exp: NOW - 30, nbf: NOW })))).body).toBe('{"exp":"token expired"}');
  });
  it('accepts nbf up to leeway seconds ahead and refuses beyond', () => {
    const { a } = auth();
    allowed(a.authenticate(p, bearer(token({ exp: NOW + 100, nbf: NOW + 30 }))));
    expect(denied(a.authenticate(p, bearer(token({ exp: NOW + 100, nbf: NOW + 31 })))).body).toBe('{"nbf":"token not valid yet"}');
  });
  it('widens maximum_expiration by the leeway', () => {
    const { a } = auth();
    const pm = plugin({ claims_to_verify: ['exp'], maximum_expiration: 60, leeway: 10 });
    allowed(a.authenticate(pm, bearer(token({ exp: NOW + 70 }))));
    expect(denied(a.authenticate(pm, bearer(token({ exp: NOW + 71 })))).body).toBe('{"exp":"exceeds maximum allowed expiration"}');
  });
  it('applies the leeway on a cache hit as the clock moves', () => {
    const { a, advance } = auth();
    const t = token({ exp: NOW + 10, nbf: NOW });
    allowed(a.authenticate(p, bearer(t)));
    advance(39);
    allowed(a.authenticate(p, bearer(t)));
    advance(1);
    expect(denied(a.authenticate(p, bearer(t))).body).toBe('{"exp":"token expired"}');
  });
});

describe('jwt policy: issuers and audiences', () => {
  const pi = plugin({ issuers: ['https://idp.example', 'alice-key'] });
  it('accepts a listed iss and refuses another with 401 {"iss":"not allowed"}', () => {
    const { a } = auth();
    both(a, pi, token({}), allowed);
    const p2 = plugin({ issuers: ['https://idp.example'] });
    both(a, p2, token({}), (o) => expect(denied(o)).toMatchObject({ status: 401, body: '{"iss":"not allowed"}', wwwAuthenticate: WA1 }));
  });
  it('says {"iss":"missing"} without iss, independently of key_claim_name', () => {
    const { a } = auth();
    const pk = plugin({ issuers: ['x'], key_claim_name: 'kid' });
    expect(denied(a.authenticate(pk, bearer(hs256({ kid: 'alice-key' })))).body).toBe('{"iss":"missing"}');
    const ok = plugin({ issuers: ['https://idp.example'], key_claim_name: 'kid' });
    allowed(a.authenticate(ok, bearer(hs256({ kid: 'alice-key', iss: 'https://idp.example' }))));
  });
  const pa = plugin({ audiences: ['api', 'web'] });
  it('accepts aud as a listed string or an array holding one listed value', () => {
    const { a } = auth();
    both(a, pa, token({ aud: 'web' }), allowed);
    both(a, pa, token({ aud: ['other', 'api'] }), allowed);
  });
  it('refuses other audiences with {"aud":"not allowed"} and a missing one with {"aud":"missing"}', () => {
    const { a } = auth();
    for (const aud of ['other', ['x', 'y'], [], 5, null]) {
      both(a, pa, token({ aud }), (o) => expect(denied(o)).toMatchObject({ status: 401, body: '{"aud":"not allowed"}' }));
    }
    expect(denied(a.authenticate(pa, bearer(token({})))).body).toBe('{"aud":"missing"}');
  });
  it('reports both claims in one body', () => {
    const { a } = auth();
    const p = plugin({ issuers: ['other'], audiences: ['api'] });
    expect(denied(a.authenticate(p, bearer(token({})))).body).toBe('{"iss":"not allowed","aud":"missing"}');
  });
  it('refuses on the cache hit a token another route allowed (no cache confusion between policies)', () => {
    const { a } = auth();
    const open = plugin();
    const t = token({ aud: 'web', scope: 'read' });
    allowed(a.authenticate(open, bearer(t)));
    expect(denied(a.authenticate(plugin({ audiences: ['api'] }), bearer(t))).body).toBe('{"aud":"not allowed"}');
    expect(denied(a.authenticate(plugin({ issuers: ['idp'] }), bearer(t))).body).toBe('{"iss":"not allowed"}');
    expect(denied(a.authenticate(plugin({ scopes_required: ['write'] }), bearer(t))).status).toBe(403);
    expect(denied(a.authenticate(plugin({ roles_required: ['admin'] }), bearer(t))).status).toBe(403);
    expect(a.stats().cacheHits).toBeGreaterThanOrEqual(4);
  });
  it('decides each cache hit as on verification when one token alternates between routes with different policies', () => {
    const { a } = auth();
    const aud = plugin({ audiences: ['api'] });
    const scoped = plugin({ scopes_required: ['write'] });
    const t = token({ aud: 'api', scope: 'read' });
    for (let i = 0; i < 3; i++) {
      allowed(a.authenticate(aud, bearer(t)));
      expect(denied(a.authenticate(scoped, bearer(t))).status).toBe(403);
    }
    expect(a.stats().cacheHits).toBe(5);
  });
  it('still refuses on the cache hit a token that passed the policy once it expires (the clock is always re-checked)', () => {
    const { a, advance } = auth();
    const p = plugin({ audiences: ['api'], scopes_required: ['read'], claims_to_verify: ['exp'] });
    const t = token({ aud: 'api', scope: 'read', exp: NOW + 10 });
    allowed(a.authenticate(p, bearer(t)));
    allowed(a.authenticate(p, bearer(t)));
    advance(10);
    expect(denied(a.authenticate(p, bearer(t))).body).toBe('{"exp":"token expired"}');
    expect(a.stats().cacheHits).toBe(2);
  });
});

describe('jwt policy: scopes and roles', () => {
  const forbidden = (scope: string, realm?: string) => ({
    status: 403,
    body: '{"message":"Forbidden"}',
    wwwAuthenticate:
      realm === undefined
        ? `Bearer error="insufficient_scope", scope="${scope}"`
        : `Bearer realm="${realm}", error="insufficient_scope", scope="${scope}"`,
  });
  it('accepts a space-separated scope string holding all required scopes', () => {
    const { a } = auth();
    both(a, plugin({ scopes_required: ['read', 'write'] }), token({ scope: 'openid write read' }), allowed);
  });
  it('reads scp as an array when scope is absent', () => {
    const { a } = auth();
    both(a, plugin({ scopes_required: ['read'] }), token({ scp: ['read', 'x'] }), allowed);
  });
  it('refuses a missing scope with 403 Forbidden and an insufficient_scope challenge naming the scopes', () => {
    const { a } = auth();
    const p = plugin({ scopes_required: ['read', 'write'] });
    both(a, p, token({ scope: 'read readwrite' }), (o) => expect(denied(o)).toMatchObject(forbidden('read write')));
    both(a, plugin({ scopes_required: ['read'], realm: 'api' }), token({}), (o) =>
      expect(denied(o)).toMatchObject(forbidden('read', 'api')),
    );
  });
  it('passes any-match with one of the scopes and fails with none', () => {
    const { a } = auth();
    const p = plugin({ scopes_required: ['a', 'b'], scopes_match: 'any' });
    both(a, p, token({ scope: 'b' }), allowed);
    both(a, p, token({ scope: 'c' }), (o) => expect(denied(o).status).toBe(403));
  });
  it('uses scopes_claim dot paths in order', () => {
    const { a } = auth();
    const p = plugin({ scopes_required: ['x'], scopes_claim: ['ext.perms'] });
    both(a, p, token({ ext: { perms: 'x y' }, scope: 'nope' }), allowed);
    both(a, p, token({ scope: 'x' }), (o) => expect(denied(o).status).toBe(403));
  });
  it('checks roles at a dot path such as realm_access.roles, all or any', () => {
    const { a } = auth();
    const p = plugin({ roles_required: ['admin', 'ops'], roles_claim: 'realm_access.roles' });
    both(a, p, token({ realm_access: { roles: ['ops', 'admin'] } }), allowed);
    both(a, p, token({ realm_access: { roles: ['ops'] } }), (o) => expect(denied(o)).toMatchObject(forbidden('admin ops')));
    const any = plugin({ roles_required: ['admin', 'ops'], roles_claim: 'realm_access.roles', roles_match: 'any' });
    both(a, any, token({ realm_access: { roles: ['ops'] } }), allowed);
  });
  it('reads a namespaced top-level claim whose name contains dots', () => {
    const { a } = auth();
    const p = plugin({ roles_required: ['admin'], roles_claim: 'https://ns.example/roles' });
    both(a, p, token({ 'https://ns.example/roles': ['admin'] }), allowed);
  });
  it('says 401, not 403, for a forged token lacking the scope (the signature comes first)', () => {
    const { a } = auth();
    expect(denied(a.authenticate(plugin({ scopes_required: ['x'] }), bearer(hs256({ iss: 'alice-key' }, 'wrong')))).status).toBe(401);
  });
  it('falls back to the anonymous consumer when configured', () => {
    const { a } = auth();
    const d = sync(a.authenticate(plugin({ scopes_required: ['x'], anonymous: 'anonymous-user' }), bearer(token({}))));
    expect(d).toMatchObject({ kind: 'allow', anonymous: true });
  });
});

describe('jwt policy: claim values as header text', () => {
  it('sends strings as they are, numbers and booleans as JSON, scalar arrays joined, objects as compact JSON', () => {
    expect(claimHeaderText('a b')).toBe('a b');
    expect(claimHeaderText(42.5)).toBe('42.5');
    expect(claimHeaderText(false)).toBe('false');
    expect(claimHeaderText(['a', 1, true])).toBe('a,1,true');
    expect(claimHeaderText([{ a: 1 }])).toBe('[{"a":1}]');
    expect(claimHeaderText({ a: [1, 2], b: 'c' })).toBe('{"a":[1,2],"b":"c"}');
    expect(claimHeaderText(null)).toBeUndefined();
    expect(claimHeaderText(undefined)).toBeUndefined();
  });
});

describe('jwt policy: absent by default', () => {
  it('compiles no policy for a Kong config', () => {
    expect(plugin().policy).toBeNull();
    expect(plugin({ claims_to_verify: ['exp'], realm: 'r' } as Partial<JwtPluginConfig>).policy).toBeNull();
  });
});

describe('jwt policy: claims kept in the verified cache only when a policy reads them', () => {
  it('stores no claims for a Kong config, and a stricter route re-verifies such an entry correctly', () => {
    const { a } = auth();
    const t = token({ aud: 'web' });
    const kong = sync(a.authenticate(plugin(), bearer(t)));
    expect(kong).toMatchObject({ kind: 'allow' });
    expect((kong as { claims?: unknown }).claims).toBeUndefined();
    expect(denied(a.authenticate(plugin({ audiences: ['api'] }), bearer(t))).body).toBe('{"aud":"not allowed"}');
    const withAud = sync(a.authenticate(plugin({ audiences: ['web'] }), bearer(t)));
    expect((withAud as { claims?: unknown }).claims).toMatchObject({ aud: 'web' });
  });
});
