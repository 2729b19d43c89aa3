// authorizer_listen with `engine=node`: HTTP/1.0 subrequests answered, so nginx's default proxy_http_version 1.0 works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoHandler,
  echoedHeader,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';
import { findNginx, startNginx, type RunningNginx } from '../helpers/nginx.js';

const NGINX = findNginx();
const RECIPE = readFileSync(new URL('../../examples/authorizer/nginx.conf', import.meta.url), 'utf8');
const now = (): number => Math.floor(Date.now() / 1000);
const token = (claims: Record<string, unknown> = {}): string =>
  makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', exp: now() + 60, ...claims }, 'alice-secret');

let plane: RunningPlane;
let upstream: Upstream;
let nginx: RunningNginx | undefined;
const client = new Agent();

beforeAll(async () => {
  upstream = await startUpstream(echoHandler());
  plane = await startPlane(
    simpleDocument(
      'http://127.0.0.1:9',
      [{ name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'], realm: 'api' } }] }],
      {
        gateway: { authorizer_listen: '127.0.0.1:0 engine=node', authorizer_source: 'nginx' },
        top: { consumers: [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret' }] }] },
      },
    ),
  );
});

afterAll(() => closeInOrder(nginx, plane, upstream, client));

describe('authorizer on the node engine', () => {
  it('answers an HTTP/1.0 subrequest: 200 with the identity headers, then closes', async () => {
    const raw = await rawExchange(
      plane.plane.authorizerPort!,
      'GET /_auth HTTP/1.0\r\nHost: app.test\r\n' +
        `X-Original-URI: /secure/x\r\nX-Original-Method: GET\r\nAuthorization: Bearer ${token()}\r\n\r\n`,
    );
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw.toLowerCase()).toContain('x-consumer-username: alice\r\n');
    expect(raw.toLowerCase()).toContain('connection: close\r\n');
  });

  it('refuses an HTTP/1.0 subrequest without a token with Kong’s 401 and challenge', async () => {
    const raw = await rawExchange(
      plane.plane.authorizerPort!,
      'GET /_auth HTTP/1.0\r\nHost: app.test\r\n' + 'X-Original-URI: /secure/x\r\nX-Original-Method: GET\r\n\r\n',
    );
    expect(raw).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(raw).toContain('{"message":"Unauthorized"}');
    expect(raw.toLowerCase()).toContain('www-authenticate: bearer realm="api"\r\n');
  });
});

describe.skipIf(NGINX === null)('nginx recipe without proxy_http_version 1.1, authorizer on the node engine', () => {
  beforeAll(async () => {
    // nginx's default towards upstreams is HTTP/1.0: drop the recipe's proxy_http_version lines.
    const conf = RECIPE.replace('listen 127.0.0.1:8080;', 'listen 127.0.0.1:{port};')
      .replaceAll(/^\s*proxy_http_version 1\.1;\n/gm, '')
      .replaceAll('127.0.0.1:8003', `127.0.0.1:${plane.plane.authorizerPort}`)
      .replaceAll('127.0.0.1:3000', `127.0.0.1:${upstream.port}`);
    expect(conf).not.toContain('proxy_http_version');
    nginx = await startNginx(NGINX!, (port) => conf.replace('{port}', String(port)));
  });

  async function get(path: string, headers: Record<string, string> = {}) {
    const res = await request(`http://127.0.0.1:${nginx!.port}${path}`, { headers, dispatcher: client });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  it('passes a valid token with the identity headers to the upstream', async () => {
    const r = await get('/secure/items', { authorization: `Bearer ${token()}`, 'x-consumer-username': 'admin' });
    expect(r.status).toBe(200);
    expect(echoedHeader(JSON.parse(r.text) as { rawHeaders: string[] }, 'x-consumer-username')).toEqual(['alice']);
  });

  it('gives the client Kong’s 401 body and challenge for an expired token', async () => {
    const r = await get('/secure', { authorization: `Bearer ${token({ exp: now() - 5 })}` });
    expect([r.status, r.text, r.headers['www-authenticate']]).toEqual([
      401,
      '{"exp":"token expired"}',
      'Bearer realm="api", error="invalid_token"',
    ]);
  });
});
