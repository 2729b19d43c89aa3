// The jwt policy extensions through a real gateway and an upstream that echoes what it received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoedHeader,
  echoHandler,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const NOW = Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}, secret = 'alice-secret') =>
  makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', ...claims }, secret);

interface Echo {
  url: string;
  rawHeaders: string[];
}
interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  echo: Echo | null;
}

const client = new Agent();
let upstream: Upstream;
let gw: RunningPlane;
let upstreamHits = 0;

async function call(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${gw.origin}${path}`, { dispatcher: client, headers });
  const body = await res.body.text();
  const echo = res.statusCode === 200 ? (JSON.parse(body) as Echo) : null;
  return { status: res.statusCode, headers: res.headers, body, echo };
}
const bearer = (t: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${t}`, ...extra });

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    upstreamHits++;
    echo(req, res);
  });
  const claimsToHeaders = [
    { claim: 'sub', header: 'X-User' },
    { claim: 'realm_access.roles', header: 'X-Roles' },
    { claim: 'org', header: 'X-Org' },
    { claim: 'name', header: 'X-Name' },
    { claim: 'evil', header: 'X-Evil' },
    { claim: 'n', header: 'X-Num' },
  ];
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        {
          name: 'scoped',
          paths: ['/scoped'],
          plugins: [{ name: 'jwt', config: { audiences: ['api'], scopes_required: ['read'], realm: 'shop' } }],
        },
        {
          name: 'roles',
          paths: ['/roles'],
          plugins: [{ name: 'jwt', config: { roles_required: ['admin'], roles_claim: 'realm_access.roles' } }],
        },
        { name: 'issuers', paths: ['/issuers'], plugins: [{ name: 'jwt', config: { issuers: ['alice-key'] } }] },
        { name: 'leeway', paths: ['/leeway'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'], leeway: 30 } }] },
        {
          name: 'claims',
          paths: ['/claims'],
          plugins: [{ name: 'jwt', config: { claims_to_headers: claimsToHeaders, forward_payload_header: 'X-Jwt-Payload' } }],
        },
        {
          name: 'claims-anon',
          paths: ['/claims-anon'],
          plugins: [{ name: 'jwt', config: { anonymous: 'guest', claims_to_headers: [{ claim: 'sub', header: 'X-User' }] } }],
        },
        {
          name: 'hide',
          paths: ['/hide'],
          plugins: [
            {
              name: 'jwt',
              config: {
                hide_credentials: true,
                uri_param_names: ['jwt'],
                cookie_names: ['session'],
                header_names: ['authorization', 'x-token'],
              },
            },
          ],
        },
        { name: 'keep', paths: ['/keep'], plugins: [{ name: 'jwt', config: { cookie_names: ['session'] } }] },
        { name: 'open', paths: ['/open'] },
      ],
      {
        top: {
          consumers: [
            { username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret', algorithm: 'HS256' }] },
            { username: 'bob', jwt_secrets: [{ key: 'bob-key', secret: 'bob-secret', algorithm: 'HS256' }] },
            { username: 'guest' },
          ],
        },
      },
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream, client));

describe('jwt policy through the gateway: scopes, roles, audiences, issuers, leeway', () => {
  it('proxies a token with the audience and scope', async () => {
    expect((await call('/scoped/x', bearer(token({ aud: ['api'], scope: 'read write' })))).status).toBe(200);
  });
  it('answers 403 Forbidden with the insufficient_scope challenge and never contacts the upstream', async () => {
    const before = upstreamHits;
    const t = token({ aud: 'api', scope: 'write' });
    for (let i = 0; i < 2; i++) {
      // the second is answered from the verified cache
      const r = await call('/scoped/x', bearer(t));
      expect(r.status).toBe(403);
      expect(r.body).toBe('{"message":"Forbidden"}');
      expect(r.headers['www-authenticate']).toBe('Bearer realm="shop", error="insufficient_scope", scope="read"');
    }
    expect(upstreamHits).toBe(before);
  });
  it('answers 401 {"aud":"not allowed"} and {"aud":"missing"} with the invalid_token challenge', async () => {
    const r = await call('/scoped/x', bearer(token({ aud: 'web', scope: 'read' })));
    expect([r.status, r.body, r.headers['www-authenticate']]).toEqual([
      401,
      '{"aud":"not allowed"}',
      'Bearer realm="shop", error="invalid_token"',
    ]);
    expect((await call('/scoped/x', bearer(token({ scope: 'read' })))).body).toBe('{"aud":"missing"}');
  });
  it('checks roles at a dot path', async () => {
    expect((await call('/roles', bearer(token({ realm_access: { roles: ['admin'] } })))).status).toBe(200);
    const r = await call('/roles', bearer(token({ realm_access: { roles: ['user'] } })));
    expect([r.status, r.headers['www-authenticate']]).toEqual([403, 'Bearer error="insufficient_scope", scope="admin"']);
  });
  it('refuses an issuer not listed with {"iss":"not allowed"}', async () => {
    expect((await call('/issuers', bearer(token()))).status).toBe(200);
    const r = await call('/issuers', bearer(token({ iss: 'bob-key' }, 'bob-secret')));
    expect([r.status, r.body]).toEqual([401, '{"iss":"not allowed"}']);
  });
  it('accepts a token expired within the leeway and refuses one beyond it', async () => {
    expect((await call('/leeway', bearer(token({ exp: NOW - 10 })))).status).toBe(200);
    expect((await call('/leeway', bearer(token({ exp: NOW - 120 })))).body).toBe('{"exp":"token expired"}');
  });
});

describe('jwt policy through the gateway: claims to headers', () => {
  const claims = {
    sub: 'u-1',
    realm_access: { roles: ['a', 'b'] },
    org: { id: 7, name: 'x' },
    name: 'José',
    evil: 'a\r\nInjected: 1',
    n: 12.5,
  };
  it('sends strings, joined arrays, compact JSON objects, numbers and UTF-8 bytes; drops unsafe values', async () => {
    const t = token(claims);
    const { status, echo } = await call('/claims/x', bearer(t));
    expect(status).toBe(200);
    expect(echoedHeader(echo!, 'x-user')).toEqual(['u-1']);
    expect(echoedHeader(echo!, 'x-roles')).toEqual(['a,b']);
    expect(echoedHeader(echo!, 'x-org')).toEqual(['{"id":7,"name":"x"}']);
    expect(echoedHeader(echo!, 'x-num')).toEqual(['12.5']);
    expect(echoedHeader(echo!, 'x-name').map((v) => Buffer.from(v, 'latin1').toString('utf8'))).toEqual(['José']);
    expect(echoedHeader(echo!, 'x-evil')).toEqual([]);
    expect(echoedHeader(echo!, 'injected')).toEqual([]);
    expect(echoedHeader(echo!, 'x-jwt-payload')).toEqual([t.split('.')[1]]);
  });
  it('removes client-sent copies of every configured header, also when the claim is absent and on the cache hit', async () => {
    const spoof = { 'x-user': 'admin', 'X-Roles': 'root', 'x-evil': 'e', 'x-jwt-payload': 'forged' };
    const t = token({ sub: 'u-2' });
    for (let i = 0; i < 2; i++) {
      const { echo } = await call('/claims', bearer(t, spoof));
      expect(echoedHeader(echo!, 'x-user')).toEqual(['u-2']);
      expect(echoedHeader(echo!, 'x-roles')).toEqual([]);
      expect(echoedHeader(echo!, 'x-evil')).toEqual([]);
      expect(echoedHeader(echo!, 'x-jwt-payload')).toEqual([t.split('.')[1]]);
    }
  });
  it('removes spoofed claim headers for the anonymous consumer too', async () => {
    const { status, echo } = await call('/claims-anon', { 'x-user': 'admin' });
    expect(status).toBe(200);
    expect(echoedHeader(echo!, 'x-user')).toEqual([]);
    expect(echoedHeader(echo!, 'x-anonymous-consumer')).toEqual(['true']);
  });
  it('leaves such headers alone on a route without the policy', async () => {
    expect(echoedHeader((await call('/open', { 'x-user': 'admin' })).echo!, 'x-user')).toEqual(['admin']);
  });
});

describe('jwt policy through the gateway: hide_credentials', () => {
  const t = token();
  it('removes the Authorization header the token came in', async () => {
    const { echo } = await call('/hide', bearer(t, { 'x-other': 'kept' }));
    expect(echoedHeader(echo!, 'authorization')).toEqual([]);
    expect(echoedHeader(echo!, 'x-other')).toEqual(['kept']);
  });
  it('removes another configured token header', async () => {
    const { status, echo } = await call('/hide', { 'x-token': `Bearer ${t}` });
    expect(status).toBe(200);
    expect(echoedHeader(echo!, 'x-token')).toEqual([]);
  });
  it('rewrites the query without the token argument, keeping the others in order', async () => {
    const { echo } = await call(`/hide/p?a=1&jwt=${t}&b=2`);
    expect(echo!.url).toBe('/p?a=1&b=2');
    expect((await call(`/hide/p?jwt=${t}`)).echo!.url).toBe('/p');
  });
  it('removes only the token cookie', async () => {
    const { echo } = await call('/hide', { cookie: `theme=dark; session=${t}; lang=en` });
    expect(echoedHeader(echo!, 'cookie')).toEqual(['theme=dark; lang=en']);
    const alone = await call('/hide', { cookie: `session=${t}` });
    expect(echoedHeader(alone.echo!, 'cookie')).toEqual([]);
  });
  it('finds the token in any Cookie header, as nginx reads them all, and removes it from that one', async () => {
    const headers = ['cookie', 'theme=dark', 'cookie', `session=${t}; lang=en`];
    const res = await request(`${gw.origin}/hide`, { dispatcher: client, headers });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echoedHeader(echo, 'cookie')).toEqual(['theme=dark', 'lang=en']);
  });
  it("takes nginx's first match across Cookie headers, even an empty one", async () => {
    const status = async (headers: string[]) => {
      const res = await request(`${gw.origin}/keep`, { dispatcher: client, headers });
      await res.body.dump();
      return res.statusCode;
    };
    expect(await status(['cookie', 'session=', 'cookie', `session=${t}`])).toBe(401);
    expect(await status(['cookie', `a=1, session=${t}`])).toBe(200);
  });
  it('forwards the token unchanged without hide_credentials', async () => {
    const { echo } = await call('/keep', { cookie: `session=${t}` });
    expect(echoedHeader(echo!, 'cookie')).toEqual([`session=${t}`]);
  });
});

describe('jwt policy through the gateway: reasons counted', () => {
  it('counts decisions by result and reason for portcullis_auth_total', async () => {
    await call('/scoped/x', bearer(token({ aud: 'api', scope: 'none' })));
    await call('/roles', bearer(token({ realm_access: { roles: [] } })));
    await call('/scoped/x');
    const c = gw.plane.counters();
    expect(c.auth_denied_scope).toBeGreaterThan(0);
    expect(c.auth_denied_role).toBeGreaterThan(0);
    expect(c.auth_denied_no_token).toBeGreaterThan(0);
    expect(c.auth_denied_audience).toBeGreaterThan(0);
    expect(c.auth_allowed_ok).toBeGreaterThan(0);
    expect(c.auth_allowed_anonymous).toBeGreaterThan(0);
  });
});
