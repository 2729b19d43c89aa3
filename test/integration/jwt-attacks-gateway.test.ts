// Attack classes through the real data plane: hostile tokens get Kong's 401 and never reach the upstream or make it fetch anything.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request } from 'undici';
import { b64url, makeToken } from '../helpers/tokens.js';
import { echoHandler, simpleDocument, startPlane, startUpstream, type RunningPlane, type Upstream } from '../helpers/data-plane-harness.js';

const client = new Agent();
let upstream: Upstream;
let gw: RunningPlane;
const seen: string[] = [];

const hs = (header: object | string, payload: object | string, secret = 'alice-secret') => makeToken(header, payload, secret, 'HS256');
const ALICE = hs({ typ: 'JWT', alg: 'HS256' }, { iss: 'alice-key' });

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    seen.push(req.url ?? '');
    echo(req, res);
  });
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        { name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt' }] },
        { name: 'by-kid', paths: ['/kid'], plugins: [{ name: 'jwt', config: { key_claim_name: 'kid' } }] },
        { name: 'exp', paths: ['/exp'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] },
        { name: 'anon', paths: ['/anon'], plugins: [{ name: 'jwt', config: { anonymous: 'guest' } }] },
      ],
      {
        top: {
          consumers: [
            { username: 'alice', custom_id: 'cust-1', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret' }] },
            { username: 'bob', jwt_secrets: [{ key: 'bob-key', secret: 'bob-secret' }] },
            { username: 'guest' },
          ],
        },
      },
    ),
  );
});

afterAll(async () => {
  await gw?.close();
  await upstream?.close();
  await client.close();
});

interface Reply {
  status: number;
  body: string;
  headers: Record<string, unknown>;
}
async function call(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await request(`${gw.origin}${path}`, { dispatcher: client, headers });
  return { status: res.statusCode, body: await res.body.text(), headers: res.headers };
}
const withBearer = (path: string, token: string, headers: Record<string, string> = {}) =>
  call(path, { authorization: `Bearer ${token}`, ...headers });

describe('hostile tokens through the gateway', () => {
  const [h, p, s] = ALICE.split('.') as [string, string, string];
  const cases: Array<[string, string, string, string]> = [
    ['alg none', '/secure', hs({ alg: 'none' }, { iss: 'alice-key' }), '{"message":"Bad token; invalid alg"}'],
    ['alg "HS256 "', '/secure', hs({ alg: 'HS256 ' }, { iss: 'alice-key' }), '{"message":"Bad token; invalid alg"}'],
    [
      'duplicate alg ending in none',
      '/secure',
      hs('{"alg":"HS256","alg":"none"}', '{"iss":"alice-key"}'),
      '{"message":"Bad token; invalid alg"}',
    ],
    ['standard-alphabet signature', '/secure', `${h}.${p}.+${s.slice(1)}`, '{"message":"Bad token; invalid signature"}'],
    ['fourth segment', '/secure', `${ALICE}.x`, '{"message":"Bad token; invalid signature"}'],
    ['payload swapped under the same signature', '/secure', `${h}.${b64url({ iss: 'bob-key' })}.${s}`, '{"message":"Invalid signature"}'],
    ['iss "__proto__"', '/secure', hs({ alg: 'HS256' }, { iss: '__proto__' }), '{"message":"No credentials found for given \'iss\'"}'],
    [
      'kid "../../alice-key"',
      '/kid',
      hs({ alg: 'HS256', kid: '../../alice-key' }, {}),
      '{"message":"No credentials found for given \'kid\'"}',
    ],
    ['exp as a string', '/exp', hs({ alg: 'HS256' }, { iss: 'alice-key', exp: '9999999999' }), '{"exp":"must be a number"}'],
    ['header JSON null', '/secure', hs('null', { iss: 'alice-key' }), '{"message":"Bad token; invalid alg"}'],
    ['payload JSON 1e400', '/secure', hs({ alg: 'HS256' }, '1e400'), '{"message":"Bad token; invalid claims"}'],
  ];
  it.each(cases)("%s → 401 with Kong's body, upstream untouched", async (_label, path, token, body) => {
    const before = seen.length;
    const r = await withBearer(`${path}/x`, token);
    expect([r.status, r.body]).toEqual([401, body]);
    expect(r.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    expect(seen.length).toBe(before);
  });

  it('refuses non-ASCII in a query token and accepts a signature tail after "=" (nginx stops there)', async () => {
    const before = seen.length;
    expect((await call(`/secure/x?jwt=${ALICE}%C3%A9`)).body).toBe('{"message":"Bad token; invalid signature"}');
    expect(seen.length).toBe(before);
    expect((await call(`/secure/x?jwt=${ALICE}%3D%C3%A9`)).status).toBe(200);
  });

  it("accepts exp 1e400 (never expires, like Kong's inf) and a deeply nested claim", async () => {
    expect((await withBearer('/exp/x', hs('{"alg":"HS256"}', '{"iss":"alice-key","exp":1e400}'))).status).toBe(200);
    const deep = hs({ alg: 'HS256' }, `{"iss":"alice-key","d":${'['.repeat(4000)}${']'.repeat(4000)}}`);
    expect((await withBearer('/secure/x', deep)).status).toBe(200);
  });

  it('never fetches what jku, x5u or a URL kid point at', async () => {
    const t = hs(
      { alg: 'HS256', kid: `${upstream.url}/__jwks/kid`, jku: `${upstream.url}/__jwks/jku`, x5u: `${upstream.url}/__jwks/x5u` },
      { iss: 'alice-key' },
      'attacker-secret',
    );
    for (const path of ['/secure/x', '/kid/x', '/anon/x']) await withBearer(path, t);
    expect(seen.filter((u) => u.includes('__jwks'))).toEqual([]);
  });

  it('re-decides a cached token on a route with another key claim (iss → kid) and back', async () => {
    const t = hs({ alg: 'HS256', kid: 'bob-key' }, { iss: 'alice-key' });
    expect((await withBearer('/secure/x', t)).status).toBe(200);
    expect((await withBearer('/kid/x', t)).body).toBe('{"message":"Invalid signature"}');
    expect((await withBearer('/secure/x', t)).status).toBe(200);
  });

  it('D15: replaces a spoofed username and drops a spoofed custom id for a consumer without one', async () => {
    const bob = hs({ alg: 'HS256' }, { iss: 'bob-key' }, 'bob-secret');
    const r = await withBearer('/secure/x', bob, { 'x-consumer-username': 'evil', 'x-consumer-custom-id': 'evil' });
    expect(r.status).toBe(200);
    const echo = JSON.parse(r.body) as { headers: Record<string, string> };
    expect(echo.headers['x-consumer-username']).toBe('bob');
    expect(echo.headers['x-consumer-custom-id']).toBeUndefined();
    expect(echo.headers['x-credential-identifier']).toBe('bob-key');
  });

  it('turns a forged token into the anonymous consumer, never the named one', async () => {
    const r = await withBearer('/anon/x', `${h}.${b64url({ iss: 'bob-key' })}.${s}`);
    const echo = JSON.parse(r.body) as { headers: Record<string, string> };
    expect([r.status, echo.headers['x-consumer-username'], echo.headers['x-anonymous-consumer']]).toEqual([200, 'guest', 'true']);
  });

  it('is still serving after all of the above', async () => {
    expect((await withBearer('/secure/x', ALICE)).status).toBe(200);
  });
});
