// The jwt stage inside the data plane: denials never reach the upstream; allows rewrite the consumer headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { Agent, request } from 'undici';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  compileDocument,
  echoHandler,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function hs256(key: string, secret: string, claims: Record<string, unknown> = {}): string {
  return makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: key, ...claims }, secret);
}

function rs256(key: string): string {
  return makeToken({ alg: 'RS256', typ: 'JWT' }, { iss: key }, privateKey);
}

interface Echo {
  headers: Record<string, string>;
  body: string;
}

const client = new Agent();
let upstream: Upstream;
let gw: RunningPlane;
let upstreamHits = 0;

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    upstreamHits++;
    echo(req, res);
  });
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        { name: 'secure', paths: ['/secure'], plugins: [{ name: 'jwt' }] },
        { name: 'anon', paths: ['/anon'], plugins: [{ name: 'jwt', config: { anonymous: 'guest' } }] },
        { name: 'rsa', paths: ['/rsa'], plugins: [{ name: 'jwt' }] },
        { name: 'open', paths: ['/open'] },
      ],
      {
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
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream, client));

describe('data plane jwt stage', () => {
  it('returns 401 Unauthorized with the exact body and never contacts the upstream', async () => {
    const before = upstreamHits;
    const res = await request(`${gw.origin}/secure/x`, { dispatcher: client });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(await res.body.text()).toBe('{"message":"Unauthorized"}');
    expect(upstreamHits).toBe(before);
    expect(gw.plane.counters().authDenied).toBeGreaterThan(0);
  });

  it('returns 401 Invalid signature for a token signed with the wrong secret', async () => {
    const res = await request(`${gw.origin}/secure/x`, {
      dispatcher: client,
      headers: { authorization: `Bearer ${hs256('alice-key', 'wrong')}` },
    });
    expect(res.statusCode).toBe(401);
    expect(await res.body.text()).toBe('{"message":"Invalid signature"}');
  });

  it('replaces client-sent consumer headers with the authenticated consumer and credential key', async () => {
    const token = hs256('alice-key', 'alice-secret');
    const res = await request(`${gw.origin}/secure/x`, {
      dispatcher: client,
      headers: {
        authorization: `Bearer ${token}`,
        'x-consumer-id': 'spoofed',
        'x-consumer-username': 'spoofed',
        'x-anonymous-consumer': 'true',
        'x-credential-identifier': 'spoofed',
      },
    });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.headers['x-consumer-username']).toBe('alice');
    expect(echo.headers['x-consumer-custom-id']).toBe('cust-1');
    expect(echo.headers['x-consumer-id']).not.toBe('spoofed');
    expect(echo.headers['x-credential-identifier']).toBe('alice-key');
    expect(echo.headers['x-anonymous-consumer']).toBeUndefined();
    expect(echo.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('falls back to the anonymous consumer with X-Anonymous-Consumer: true', async () => {
    const res = await request(`${gw.origin}/anon/x`, { dispatcher: client, headers: { 'x-credential-identifier': 'spoofed' } });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.headers['x-consumer-username']).toBe('guest');
    expect(echo.headers['x-anonymous-consumer']).toBe('true');
    expect(echo.headers['x-credential-identifier']).toBeUndefined();
  });

  it('leaves client consumer headers untouched on a route without the plugin', async () => {
    const echo = (await (
      await request(`${gw.origin}/open/x`, {
        dispatcher: client,
        headers: { 'x-consumer-id': 'client-value' },
      })
    ).body.json()) as Echo;
    expect(echo.headers['x-consumer-id']).toBe('client-value');
  });

  it('waits for asymmetric verification and still forwards the request body', async () => {
    const res = await request(`${gw.origin}/rsa/x`, {
      dispatcher: client,
      method: 'POST',
      body: 'payload-after-rs256',
      headers: { authorization: `Bearer ${rs256('alice-rsa')}` },
    });
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.body).toBe('payload-after-rs256');
    expect(echo.headers['x-credential-identifier']).toBe('alice-rsa');
  });

  it('serves requests on the new generation after reload', async () => {
    gw.plane.reload(compileDocument(simpleDocument(upstream.url, [{ name: 'only', paths: ['/only'] }]), 2));
    expect(gw.plane.generation).toBe(2);
    expect((await request(`${gw.origin}/only/x`, { dispatcher: client })).statusCode).toBe(200);
    const gone = await request(`${gw.origin}/secure/x`, { dispatcher: client });
    expect(gone.statusCode).toBe(404);
    await gone.body.text();
  });
});
