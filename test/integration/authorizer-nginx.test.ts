// A real nginx in front: client → nginx (auth_request → Portcullis authorizer) → real upstream, with the README's recipes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoHandler,
  echoedHeader,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';
import { findNginx, startNginx, type RunningNginx } from '../helpers/nginx.js';

const NGINX = findNginx();
if (NGINX === null) {
  console.warn('authorizer-nginx tests skipped: no nginx binary (apt-get install -y nginx; .ci/run installs it)');
}

const RECIPE = readFileSync(new URL('../../examples/authorizer/nginx.conf', import.meta.url), 'utf8');
const now = (): number => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}): string =>
  makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', exp: now() + 60, ...claims }, 'alice-secret');

/** The README recipe with the test's ports in place of the example's. */
function recipe(nginxPort: number, authzPort: number, upstreamPort: number): string {
  return RECIPE.replace('listen 127.0.0.1:8080;', `listen 127.0.0.1:${nginxPort};`)
    .replaceAll('127.0.0.1:8003', `127.0.0.1:${authzPort}`)
    .replaceAll('127.0.0.1:3000', `127.0.0.1:${upstreamPort}`);
}

/** What ingress-nginx generates for `auth-url` + `auth-response-headers` (its nginx.tmpl external-auth location). */
function ingressNginx(nginxPort: number, authzPort: number, upstreamPort: number): string {
  const names = ['X-Consumer-ID', 'X-Consumer-Username', 'X-Credential-Identifier'];
  return `server {
    listen 127.0.0.1:${nginxPort};
    server_name ingress.test;
    location = /_external-auth-Lw-Prefix {
        internal;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Forwarded-Proto "";
        proxy_set_header Host portcullis-authorizer.portcullis.svc;
        proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
        proxy_set_header X-Original-Method $request_method;
        proxy_set_header X-Sent-From "nginx-ingress-controller";
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $remote_addr;
        proxy_set_header X-Auth-Request-Redirect $request_uri;
        proxy_pass_request_headers on;
        proxy_http_version 1.1;
        proxy_pass http://127.0.0.1:${authzPort}/;
    }
    location / {
        auth_request /_external-auth-Lw-Prefix;
        ${names
          .map(
            (n, i) => `auth_request_set $authHeader${i} $upstream_http_${n.toLowerCase().replaceAll('-', '_')};
        proxy_set_header '${n}' $authHeader${i};`,
          )
          .join('\n        ')}
        proxy_pass http://127.0.0.1:${upstreamPort};
    }
}`;
}

function document(source: string): Record<string, unknown> {
  return simpleDocument(
    'http://127.0.0.1:9',
    [
      { name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'], realm: 'api' } }] },
      { name: 'open', paths: ['/open'] },
    ],
    {
      gateway: { authorizer_listen: '127.0.0.1:0', authorizer_source: source },
      top: { consumers: [{ username: 'alice', custom_id: 'c-1', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret' }] }] },
    },
  );
}

interface Echo {
  url: string;
  rawHeaders: string[];
  body: string;
}

const client = new Agent();
let upstream: Upstream;
let upstreamHits = 0;
let auto: RunningPlane;
let pinned: RunningPlane;
let nginx: RunningNginx;

async function get(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
  const res = await request(`http://127.0.0.1:${nginx.port}${path}`, { method: method as 'GET', headers, body, dispatcher: client });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, echo: res.statusCode === 200 ? (JSON.parse(text) as Echo) : null };
}

describe('nginx recipe', () => {
  it('is in the README exactly as tested here', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(RECIPE.slice(RECIPE.indexOf('map $status')));
  });
});

describe.skipIf(NGINX === null)('nginx auth_request in front of the authorizer', () => {
  beforeAll(async () => {
    const echo = echoHandler();
    upstream = await startUpstream((req, res) => {
      upstreamHits++;
      echo(req, res);
    });
    auto = await startPlane(document('auto'));
    pinned = await startPlane(document('nginx'));
    nginx = await startNginx(NGINX!, (port) =>
      [recipe(port, auto.plane.authorizerPort!, upstream.port), ingressNginx(port, pinned.plane.authorizerPort!, upstream.port)].join('\n'),
    );
  });

  afterAll(() => closeInOrder(nginx, auto, pinned, upstream, client));

  it('passes a valid token: the upstream sees the identity headers, never the client’s spoofed ones', async () => {
    const r = await get('/secure/items?x=1', {
      authorization: `Bearer ${token()}`,
      'x-consumer-username': 'admin',
      'x-anonymous-consumer': 'true',
      'x-consumer-custom-id': 'root',
    });
    expect(r.status).toBe(200);
    expect(r.echo!.url).toBe('/secure/items?x=1');
    expect(echoedHeader(r.echo!, 'x-consumer-username')).toEqual(['alice']);
    expect(echoedHeader(r.echo!, 'x-consumer-custom-id')).toEqual(['c-1']);
    expect(echoedHeader(r.echo!, 'x-credential-identifier')).toEqual(['alice-key']);
    expect(echoedHeader(r.echo!, 'x-consumer-id')[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(echoedHeader(r.echo!, 'x-anonymous-consumer')).toEqual([]);
  });

  it('gives the client Kong’s 401 body and WWW-Authenticate for an expired token, and the upstream nothing', async () => {
    const before = upstreamHits;
    const r = await get('/secure', { authorization: `Bearer ${token({ exp: now() - 5 })}` });
    expect(r.status).toBe(401);
    expect(r.text).toBe('{"exp":"token expired"}');
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    expect(upstreamHits).toBe(before);
  });

  it('gives Kong’s 401 for a missing token even on a POST with a body, which only the upstream would read', async () => {
    const denied = await get('/secure', { 'content-type': 'text/plain' }, 'POST', 'payload');
    expect([denied.status, denied.text, denied.headers['www-authenticate']]).toEqual([
      401,
      '{"message":"Unauthorized"}',
      'Bearer realm="api"',
    ]);
    const allowed = await get('/secure', { authorization: `Bearer ${token()}`, 'content-type': 'text/plain' }, 'POST', 'payload');
    expect(allowed.status).toBe(200);
    expect(allowed.echo!.body).toBe('payload');
  });

  it('reads the token from the original URI’s query', async () => {
    expect((await get(`/secure?jwt=${token()}`)).status).toBe(200);
  });

  it('strips spoofed identity headers on routes without the jwt plugin', async () => {
    const r = await get('/open', { 'x-consumer-username': 'admin', 'x-credential-identifier': 'forged' });
    expect(r.status).toBe(200);
    expect(echoedHeader(r.echo!, 'x-consumer-username')).toEqual([]);
    expect(echoedHeader(r.echo!, 'x-credential-identifier')).toEqual([]);
  });

  it('passes the authorizer’s 404 and Kong body on, where nginx alone would answer 500', async () => {
    const r = await get('/nowhere');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text).message).toBe('no Route matched with those values');
  });

  it('ignores a client’s Traefik-style headers naming an open route', async () => {
    const r = await get('/secure', { 'x-forwarded-uri': '/open', 'x-forwarded-method': 'GET', 'x-forwarded-host': 'a' });
    expect(r.status).toBe(401);
  });

  describe('ingress-nginx auth-url / auth-response-headers (authorizer_source: nginx)', () => {
    const ingress = { host: 'ingress.test' };

    it('passes the identity headers of a valid token upstream', async () => {
      const r = await get('/secure/a', { ...ingress, authorization: `Bearer ${token()}`, 'x-consumer-username': 'admin' });
      expect(r.status).toBe(200);
      expect(echoedHeader(r.echo!, 'x-consumer-username')).toEqual(['alice']);
      expect(echoedHeader(r.echo!, 'x-credential-identifier')).toEqual(['alice-key']);
    });

    it('refuses an expired token with 401 and Portcullis’ WWW-Authenticate', async () => {
      const r = await get('/secure/a', { ...ingress, authorization: `Bearer ${token({ exp: now() - 5 })}` });
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      // Without an error_page hook, auth_request drops the authorizer's body for its own page.
      expect(r.text).toContain('<html>');
    });

    it('turns the authorizer’s 404 into 500, as auth_request does for any status but 401/403', async () => {
      expect((await get('/nowhere', ingress)).status).toBe(500);
    });

    it('is not fooled by Traefik-style headers, which ingress-nginx passes through', async () => {
      const r = await get('/secure/a', { ...ingress, 'x-forwarded-uri': '/open', 'x-forwarded-method': 'GET' });
      expect(r.status).toBe(401);
    });
  });
});
