// X-Real-IP / X-Forwarded-For for IPv6 and IPv4-mapped peers, alternating on one dual-stack listener; read lazily (uWS) or once per connection (node).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, Agent } from 'undici';
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
import { makeToken } from '../helpers/tokens.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaToken = makeToken({ alg: 'RS256', typ: 'JWT' }, { iss: 'peer-rsa' }, privateKey);

interface Echo {
  rawHeaders: string[];
}

const client = new Agent({ keepAliveTimeout: 1000 });
let upstream: Upstream;
let gw: RunningPlane;

async function realIp(origin: string, path = '/api/ip', headers: Record<string, string> = {}): Promise<string[]> {
  const res = await request(`${origin}${path}`, { dispatcher: client, headers });
  const echo = (await res.body.json()) as Echo;
  return [...echoedHeader(echo, 'x-real-ip'), ...echoedHeader(echo, 'x-forwarded-for')];
}

beforeAll(async () => {
  upstream = await startUpstream(echoHandler());
  gw = await startPlane(
    simpleDocument(
      `${upstream.url}/svc`,
      [
        { name: 'api', paths: ['/api'] },
        { name: 'rsa', paths: ['/rsa'], plugins: [{ name: 'jwt', config: {} }] },
      ],
      {
        top: {
          consumers: [
            {
              username: 'peer',
              jwt_secrets: [{ key: 'peer-rsa', algorithm: 'RS256', rsa_public_key: publicKey.export({ type: 'spki', format: 'pem' }) }],
            },
          ],
        },
      },
    ),
    { listenHost: '::' },
  );
});

afterAll(() => closeInOrder(gw, upstream, client));

describe('peer address headers', () => {
  it('sends ::1 for an IPv6 loopback client and 127.0.0.1 for an IPv4 one, request after request', async () => {
    const v6 = `http://[::1]:${gw.port}`;
    const v4 = `http://127.0.0.1:${gw.port}`;
    for (let i = 0; i < 3; i++) {
      expect(await realIp(v6)).toEqual(['::1', '::1']);
      expect(await realIp(v4)).toEqual(['127.0.0.1', '127.0.0.1']);
    }
  });

  it('sends the client address after an asynchronous RS256 verification, and after a refusal on the same connection', async () => {
    for (const origin of [`http://[::1]:${gw.port}`, `http://127.0.0.1:${gw.port}`]) {
      const expected = origin.includes('[') ? '::1' : '127.0.0.1';
      const refused = await request(`${origin}/nowhere`, { dispatcher: client });
      await refused.body.dump();
      expect(refused.statusCode).toBe(404);
      expect(await realIp(origin, '/rsa/ip', { authorization: `Bearer ${rsaToken}` })).toEqual([expected, expected]);
      expect(await realIp(origin)).toEqual([expected, expected]);
    }
  });
});
