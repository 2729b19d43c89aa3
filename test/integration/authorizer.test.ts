// authorizer_listen: Traefik, nginx and Envoy subrequest shapes answered with the proxy's own jwt decisions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'undici';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoHandler,
  echoedHeader,
  simpleDocument,
  startPlane,
  startUpstream,
  rawExchange,
  type RunningPlane,
} from '../helpers/data-plane-harness.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = (): number => Math.floor(Date.now() / 1000);
const hs256 = (claims: Record<string, unknown> = {}): string =>
  makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', ...claims }, 'alice-secret');
const rs256 = (): string => makeToken({ alg: 'RS256', typ: 'JWT' }, { iss: 'alice-rsa' }, privateKey);

const client = new Agent();
let gw: RunningPlane;
let authz: string;

function document(gateway: Record<string, unknown> = {}): Record<string, unknown> {
  // The service points at a closed port: the authorizer never contacts it.
  return simpleDocument(
    'http://127.0.0.1:9',
    [
      {
        name: 'secure',
        paths: ['/secure'],
        methods: ['GET', 'POST'],
        plugins: [
          {
            name: 'jwt',
            config: {
              claims_to_verify: ['exp'],
              cookie_names: ['session'],
              realm: 'api',
            },
          },
        ],
      },
      { name: 'hosted', hosts: ['api.example.com'], paths: ['/hosted'], plugins: [{ name: 'jwt' }] },
      { name: 'anon', paths: ['/anon'], plugins: [{ name: 'jwt', config: { anonymous: 'guest' } }] },
      { name: 'rsa', paths: ['/rsa'], plugins: [{ name: 'jwt' }] },
      { name: 'open', paths: ['/open'] },
      {
        name: 'claims',
        paths: ['/claims'],
        plugins: [
          {
            name: 'jwt',
            config: {
              claims_to_headers: [
                { claim: 'email', header: 'X-User-Email' },
                { claim: 'team', header: 'X-User-Team' },
              ],
              forward_payload_header: 'X-Jwt-Payload',
            },
          },
        ],
      },
    ],
    {
      gateway: { authorizer_listen: '127.0.0.1:0', ...gateway },
      top: {
        consumers: [
          {
            username: 'alice',
            custom_id: 'cust-1',
            jwt_secrets: [
              { key: 'alice-key', secret: 'alice-secret', algorithm: 'HS256' },
              { key: 'alice-rsa', algorithm: 'RS256', rsa_public_key: publicKey.export({ type: 'spki', format: 'pem' }) },
            ],
          },
          { username: 'guest' },
        ],
      },
    },
  );
}

async function ask(path: string, headers: Record<string, string>, method = 'GET', origin = authz) {
  const res = await request(`${origin}${path}`, { method: method as 'GET', headers, dispatcher: client });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

const traefik = (method: string, host: string, uri: string, extra: Record<string, string> = {}): Record<string, string> => ({
  'x-forwarded-method': method,
  'x-forwarded-proto': 'https',
  'x-forwarded-host': host,
  'x-forwarded-uri': uri,
  'x-forwarded-for': '203.0.113.9',
  ...extra,
});

beforeAll(async () => {
  gw = await startPlane(document());
  authz = `http://127.0.0.1:${gw.plane.authorizerPort}`;
});

afterAll(() => closeInOrder(gw, client));

describe('authorizer: Traefik forwardAuth shape', () => {
  it('answers the route’s claim headers as the proxy sends them, and an empty value for a claim the token lacks', async () => {
    const token = hs256({ email: 'alice@example.com' });
    const r = await ask('/', traefik('GET', 'app.test', '/claims/x', { authorization: `Bearer ${token}`, 'x-user-team': 'root' }));
    expect(r.status).toBe(200);
    expect(r.headers['x-user-email']).toBe('alice@example.com');
    // Named but empty: the front proxy overwrites the client's spoofed X-User-Team with it.
    expect(r.headers['x-user-team']).toBe('');
    expect(r.headers['x-jwt-payload']).toBe(token.split('.')[1]);
  });

  it('allows a valid token with 200, no body and the identity headers the proxy sends upstream', async () => {
    const r = await ask('/', traefik('GET', 'app.test', '/secure/items?page=2', { authorization: `Bearer ${hs256({ exp: now() + 60 })}` }));
    expect(r.status).toBe(200);
    expect(r.body).toBe('');
    expect(r.headers['content-type']).toBeUndefined();
    expect(r.headers['x-consumer-username']).toBe('alice');
    expect(r.headers['x-consumer-custom-id']).toBe('cust-1');
    expect(r.headers['x-consumer-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers['x-credential-identifier']).toBe('alice-key');
    // Named but empty: Traefik and Envoy overwrite a client's spoofed value with it.
    expect(r.headers['x-anonymous-consumer']).toBe('');
  });

  it('refuses an expired token with the proxy mode status, body and WWW-Authenticate', async () => {
    const token = hs256({ exp: now() - 10 });
    const viaAuthz = await ask('/', traefik('GET', 'app.test', '/secure', { authorization: `Bearer ${token}` }));
    const viaProxy = await ask('/secure', { authorization: `Bearer ${token}` }, 'GET', gw.origin);
    expect(viaAuthz.status).toBe(401);
    expect(viaAuthz.body).toBe('{"exp":"token expired"}');
    expect(viaAuthz.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    expect([viaAuthz.status, viaAuthz.body, viaAuthz.headers['www-authenticate']]).toEqual([
      viaProxy.status,
      viaProxy.body,
      viaProxy.headers['www-authenticate'],
    ]);
  });

  it('matches routes on the forwarded method and host, not the subrequest’s', async () => {
    expect((await ask('/', traefik('DELETE', 'app.test', '/secure'))).status).toBe(404);
    expect((await ask('/', traefik('GET', 'other.test', '/hosted'))).status).toBe(404);
    expect((await ask('/', traefik('GET', 'api.example.com', '/hosted'))).status).toBe(401);
  });

  it('takes the token from the original URI’s query and from the client’s cookie', async () => {
    const token = hs256({ exp: now() + 60 });
    expect((await ask('/', traefik('GET', 'a', `/secure?jwt=${token}`))).status).toBe(200);
    expect((await ask('/', traefik('GET', 'a', '/secure', { cookie: `theme=dark; session=${token}` }))).status).toBe(200);
    expect((await ask(`/?jwt=${token}`, traefik('GET', 'a', '/secure'))).status).toBe(401);
  });
});

describe('authorizer: nginx auth_request shape', () => {
  it('reads X-Original-URI, X-Original-Method and Host', async () => {
    const token = hs256({ exp: now() + 60 });
    const ok = await ask('/_auth', {
      'x-original-uri': '/hosted/x',
      'x-original-method': 'POST',
      host: 'api.example.com',
      authorization: `Bearer ${token}`,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers['x-consumer-username']).toBe('alice');
    expect((await ask('/_auth', { 'x-original-uri': '/hosted/x', 'x-original-method': 'GET', host: 'other.test' })).status).toBe(404);
  });

  it('reads ingress-nginx’s X-Original-URL, whose authority is the original host', async () => {
    const r = await ask('/auth', {
      'x-original-url': 'https://api.example.com/hosted/x?y=1',
      'x-original-method': 'GET',
      host: 'authz.svc',
    });
    expect(r.status).toBe(401);
    expect(r.body).toBe('{"message":"Unauthorized"}');
  });

  it('prefers Traefik headers over nginx ones, as documented', async () => {
    const r = await ask('/', { ...traefik('GET', 'a', '/open'), 'x-original-uri': '/secure', 'x-original-method': 'GET' });
    expect(r.status).toBe(200);
  });
});

describe('authorizer: Envoy ext_authz HTTP service shape', () => {
  it('uses the subrequest’s own method, path and headers', async () => {
    const token = hs256({ exp: now() + 60 });
    expect((await ask('/secure/a?b=c', { authorization: `Bearer ${token}` }, 'POST')).status).toBe(200);
    expect((await ask('/secure/a', {}, 'PUT')).status).toBe(404);
  });

  it('removes authorizer_path_prefix, and answers 404 outside it', async () => {
    const prefixed = await startPlane(document({ authorizer_path_prefix: '/authz' }));
    try {
      const origin = `http://127.0.0.1:${prefixed.plane.authorizerPort}`;
      const token = hs256({ exp: now() + 60 });
      expect((await ask('/authz/secure/a', { authorization: `Bearer ${token}` }, 'GET', origin)).status).toBe(200);
      expect((await ask('/authz/secure', {}, 'GET', origin)).status).toBe(401);
      expect((await ask('/authz', {}, 'GET', origin)).status).toBe(404);
      expect((await ask('/authzsecure', {}, 'GET', origin)).status).toBe(404);
      expect((await ask('/secure', {}, 'GET', origin)).status).toBe(404);
    } finally {
      await prefixed.close();
    }
  });
});

describe('authorizer: same identity headers as the proxy', () => {
  it('returns exactly the identity headers the proxy sends upstream for the same token', async () => {
    const upstream = await startUpstream(echoHandler());
    const doc = document();
    (doc.services as Array<{ url: string }>)[0]!.url = upstream.url;
    const plane = await startPlane(doc);
    try {
      const authorization = `Bearer ${hs256({ exp: now() + 60 })}`;
      const proxied = await ask('/secure/x', { authorization }, 'GET', plane.origin);
      const echo = JSON.parse(proxied.body) as { rawHeaders: string[] };
      const answered = await ask('/secure/x', { authorization }, 'GET', `http://127.0.0.1:${plane.plane.authorizerPort}`);
      const identity = (read: (name: string) => string | undefined) =>
        Object.fromEntries(
          ['x-consumer-id', 'x-consumer-username', 'x-consumer-custom-id', 'x-credential-identifier', 'x-anonymous-consumer'].map((n) => [
            n,
            read(n) || undefined,
          ]),
        );
      expect(identity((n) => answered.headers[n] as string | undefined)).toEqual(identity((n) => echoedHeader(echo, n)[0]));
    } finally {
      await closeInOrder(plane, upstream);
    }
  });
});

describe('authorizer: decisions', () => {
  it('allows a route without the jwt plugin and answers 404 with Kong’s body when no route matches', async () => {
    const open = await ask('/', traefik('GET', 'a', '/open', { 'x-consumer-username': 'spoof' }));
    expect([open.status, open.body]).toEqual([200, '']);
    expect(open.headers['x-consumer-username']).toBeUndefined();
    const none = await ask('/', traefik('GET', 'a', '/nowhere'));
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toEqual({ message: 'no Route matched with those values', request_id: none.headers['x-kong-request-id'] });
  });

  it('returns the anonymous consumer’s headers when the plugin falls back to it', async () => {
    const r = await ask('/', traefik('GET', 'a', '/anon'));
    expect(r.status).toBe(200);
    expect(r.headers['x-consumer-username']).toBe('guest');
    expect(r.headers['x-anonymous-consumer']).toBe('true');
    expect(r.headers['x-credential-identifier']).toBe('');
  });

  it('verifies asymmetric tokens off the event loop and still answers', async () => {
    const r = await ask('/', traefik('GET', 'a', '/rsa', { authorization: `Bearer ${rs256()}` }));
    expect(r.status).toBe(200);
    expect(r.headers['x-credential-identifier']).toBe('alice-rsa');
  });

  it('answers 400 to a subrequest that names no original path', async () => {
    expect((await ask('/', { 'x-original-method': 'GET' })).status).toBe(400);
    expect((await ask('/', traefik('GET', 'a', 'secure'))).status).toBe(400);
  });

  it('never reads a body: the answer closes the connection instead', async () => {
    const raw = await rawExchange(gw.plane.authorizerPort!, 'POST /secure HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    expect(raw).toMatch(/^HTTP\/1\.1 401 /);
    expect(raw.toLowerCase()).toContain('connection: close');
  });

  it('counts every decision by result and reason', async () => {
    const c = gw.plane.counters();
    expect(c.authzAllowedCredential).toBeGreaterThan(0);
    expect(c.authzAllowedNoPlugin).toBeGreaterThan(0);
    expect(c.authzAllowedAnonymous).toBeGreaterThan(0);
    expect(c.authzDeniedClaims).toBeGreaterThan(0);
    expect(c.authzDeniedNoToken).toBeGreaterThan(0);
    expect(c.authzNotFound).toBeGreaterThan(0);
    expect(c.authzBadRequest).toBeGreaterThan(0);
    // The proxy listener's own request counter is not touched by authorizer traffic.
    expect(c.requests).toBe(1);
  });
});
