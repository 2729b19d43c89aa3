// The jwt policy's upstream rewrites: spoofed claim headers stripped whatever the decision, cookie and query token removal.
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthAllow, AuthOutcome } from '../../../src/auth/types.js';
import { withoutTokenArgs, withoutTokenCookies } from '../../../src/auth/hide-credentials.js';
import {
  createValueInterner,
  identityFor,
  INTERNED_VALUE_LENGTH,
  INTERNED_VALUES,
  type UnsafeClaimHook,
} from '../../../src/auth/policy-headers.js';
import { buildUpstreamHeaders, type ForwardContext, type InboundRequest } from '../../../src/proxy/forwarded-headers.js';
import type { RouteMatch } from '../../../src/routing/types.js';
import { compileDocument } from '../../helpers/data-plane-harness.js';
import { makeToken } from '../../helpers/tokens.js';

const config = compileDocument({
  _format_version: '3.0',
  services: [
    {
      name: 's',
      url: 'http://up.internal:8080',
      routes: [
        {
          name: 'r',
          paths: ['/p'],
          plugins: [
            {
              name: 'jwt',
              config: {
                run_on_preflight: false,
                claims_to_headers: [{ claim: 'sub', header: 'X-User' }],
                forward_payload_header: 'X-Payload',
              },
            },
          ],
        },
      ],
    },
  ],
});
const match: RouteMatch = { route: config.routes[0]!, upstreamPath: '/x', forwardedPrefix: null };
const ctx = { listenPort: '8000', via: '1.1 portcullis/0.1.0', proto: 'http' as const };

/** What the data plane sends upstream: the route policy's identity of the allow, and the policy's client-header rules. */
function upstreamHeaders(req: InboundRequest, m: RouteMatch, allow: AuthAllow | null, fwd: ForwardContext, onUnsafe?: UnsafeClaimHook) {
  const policy = m.route.jwt?.policy?.upstream ?? null;
  return buildUpstreamHeaders(req, m, 'id', allow === null ? null : identityFor(allow, policy, onUnsafe), policy, fwd);
}

describe('policy upstream headers', () => {
  it('strips client copies of the configured headers when the plugin did not run (preflight bypass)', () => {
    const out = upstreamHeaders(
      { headers: ['x-user', 'admin', 'x-payload', 'e30', 'x-other', '1'], host: 'gw', url: '/p', remoteAddress: '192.0.2.1' },
      match,
      null,
      ctx,
    );
    expect(out).not.toContain('x-user');
    expect(out).not.toContain('x-payload');
    expect(out).toContain('x-other');
  });
});

describe('claim headers on the cache hit', () => {
  const twoRoutes = compileDocument({
    _format_version: '3.0',
    services: [
      {
        name: 's',
        url: 'http://up.internal:8080',
        routes: [
          {
            name: 'a',
            paths: ['/a'],
            plugins: [
              {
                name: 'jwt',
                config: {
                  claims_to_headers: [
                    { claim: 'sub', header: 'X-User' },
                    { claim: 'bad', header: 'X-Bad' },
                  ],
                },
              },
            ],
          },
          {
            name: 'b',
            paths: ['/b'],
            plugins: [
              {
                name: 'jwt',
                config: {
                  claims_to_headers: [
                    { claim: 'org.name', header: 'X-Org' },
                    { claim: 'roles', header: 'X-Roles' },
                  ],
                  forward_payload_header: 'X-Payload',
                },
              },
            ],
          },
        ],
      },
    ],
    consumers: [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret', algorithm: 'HS256' }] }],
  });
  const token = makeToken(
    { alg: 'HS256', typ: 'JWT' },
    { iss: 'alice-key', sub: 'u-1', bad: 'x\ny', org: { name: 'Zoë' }, roles: ['r1', 'r2'] },
    'alice-secret',
  );
  const request = {
    method: 'GET',
    query: '',
    header: (n: string) => (n === 'authorization' ? `Bearer ${token}` : undefined),
    headers: ['authorization', `Bearer ${token}`],
  };
  const inbound = { headers: ['authorization', `Bearer ${token}`], host: 'gw', url: '/a', remoteAddress: '192.0.2.1' };
  const routeMatch = (i: number): RouteMatch => ({ route: twoRoutes.routes[i]!, upstreamPath: '/', forwardedPrefix: null });
  const claimHeaders = (out: string[]) =>
    out
      .filter((_, i) => i % 2 === 0 && ['x-user', 'x-bad', 'x-org', 'x-roles', 'x-payload'].includes(out[i]!))
      .map((name) => [name, out[out.indexOf(name) + 1]]);

  it("sends what each route's policy asks on every hit, the same token alternating between two routes", () => {
    const auth = createAuthenticator(twoRoutes);
    const unsafe: string[] = [];
    const log = (header: string) => {
      unsafe.push(header);
    };
    const serve = (i: number) => {
      const decision = auth.authenticate(twoRoutes.routes[i]!.jwt!, request) as Exclude<AuthOutcome, Promise<unknown>>;
      expect(decision.kind).toBe('allow');
      return claimHeaders(upstreamHeaders(inbound, routeMatch(i), decision as AuthAllow, ctx, log));
    };
    for (let round = 0; round < 2; round++) {
      expect(serve(0)).toEqual([['x-user', 'u-1']]);
      expect(serve(1)).toEqual([
        ['x-org', Buffer.from('Zoë', 'utf8').toString('latin1')],
        ['x-roles', 'r1,r2'],
        ['x-payload', token.split('.')[1]],
      ]);
    }
    // The unsafe claim is dropped, and logged at debug level on each request, hit or miss.
    expect(unsafe).toEqual(['x-bad', 'x-bad']);
    expect(auth.stats().cacheHits).toBe(3);
  });

  it('sends each token its own claim values when many cached tokens share some of them', () => {
    const auth = createAuthenticator(twoRoutes);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 50; i++) {
        const t = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', sub: `u-${i}`, roles: ['r1', `r${i % 3}`] }, 'alice-secret');
        const req = {
          method: 'GET',
          query: '',
          header: (n: string) => (n === 'authorization' ? `Bearer ${t}` : undefined),
          headers: ['authorization', `Bearer ${t}`],
        };
        const decision = auth.authenticate(twoRoutes.routes[0]!.jwt!, req) as AuthAllow;
        const decision1 = auth.authenticate(twoRoutes.routes[1]!.jwt!, req) as AuthAllow;
        const inb = { ...inbound, headers: ['authorization', `Bearer ${t}`] };
        expect(claimHeaders(upstreamHeaders(inb, routeMatch(0), decision, ctx))).toEqual([['x-user', `u-${i}`]]);
        expect(claimHeaders(upstreamHeaders(inb, routeMatch(1), decision1, ctx)).slice(0, 1)).toEqual([['x-roles', `r1,r${i % 3}`]]);
      }
    }
    expect(auth.stats().cacheHits).toBeGreaterThanOrEqual(100);
  });
});

describe('shared claim header values', () => {
  it('returns every value unchanged, seen before or not, past its count and length bounds', () => {
    const intern = createValueInterner();
    const long = 'r'.repeat(INTERNED_VALUE_LENGTH + 1);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < INTERNED_VALUES + 10; i++) expect(intern(`role-${i}`)).toBe(`role-${i}`);
      expect(intern(long)).toBe(long);
      expect(intern('')).toBe('');
    }
  });
});

describe('hide_credentials helpers', () => {
  it('removes only the configured cookie holding the token, whatever the name case and spacing', () => {
    expect(withoutTokenCookies('a=1;Session = T ; b=2', ['session'], 'T')).toBe('a=1; b=2');
    expect(withoutTokenCookies('session=other; a=1', ['session'], 'T')).toBe('session=other; a=1');
    expect(withoutTokenCookies('session=T', ['session'], 'T')).toBe('');
  });
  it("removes a token cookie nginx found after a ',', leaving a value that only holds one as it was", () => {
    expect(withoutTokenCookies('a=1, session=T; b=2', ['session'], 'T')).toBe('a=1; b=2');
    expect(withoutTokenCookies('session=T,a=1', ['session'], 'T')).toBe('a=1');
    expect(withoutTokenCookies('prefs=x,y; session=T', ['session'], 'T')).toBe('prefs=x,y');
    expect(withoutTokenCookies('session=T, session=T', ['session'], 'T')).toBe('');
  });
  it('removes every configured argument holding the token (also percent-encoded), keeping the rest in order', () => {
    expect(withoutTokenArgs('a=1&jwt=T&b=2&jwt=T', new Set(['jwt']), 'T')).toBe('a=1&b=2');
    expect(withoutTokenArgs('%6Awt=%54&c=3', new Set(['jwt']), 'T')).toBe('c=3');
    expect(withoutTokenArgs('jwt=other&jwt', new Set(['jwt']), 'T')).toBe('jwt=other&jwt');
  });
});
