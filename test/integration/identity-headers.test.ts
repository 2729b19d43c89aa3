// Identity header values outside Latin-1 reach the upstream as their UTF-8 bytes, as Kong sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

let upstream: Upstream;
let gw: RunningPlane;

beforeAll(async () => {
  upstream = await startUpstream(echoHandler());
  gw = await startPlane(
    simpleDocument(upstream.url, [{ name: 'api', paths: ['/api'], plugins: [{ name: 'jwt' }] }], {
      top: {
        consumers: [
          { username: 'Пётр', custom_id: '客户-7', jwt_secrets: [{ key: 'ключ', secret: 's1' }] },
          { username: 'José', custom_id: 'plain', jwt_secrets: [{ key: 'k-josé', secret: 's2' }] },
          { username: 'ascii', jwt_secrets: [{ key: 'k-ascii', secret: 's3' }] },
        ],
      },
    }),
  );
});

afterAll(() => closeInOrder(gw, upstream));

/** node:http hands header values over byte for byte as latin1: read them back as UTF-8. */
const utf8 = (latin1: string): string => Buffer.from(latin1, 'latin1').toString('utf8');

async function identity(key: string, secret: string): Promise<Record<string, string>> {
  const token = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: key }, secret);
  const res = await fetch(`${gw.origin}/api/x`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const echo = (await res.json()) as { rawHeaders: string[] };
  const out: Record<string, string> = {};
  for (const name of ['x-consumer-username', 'x-consumer-custom-id', 'x-credential-identifier']) {
    const values = echoedHeader(echo, name);
    if (values.length > 0) out[name] = utf8(values[0]!);
  }
  return out;
}

describe('identity headers', () => {
  it('sends a Cyrillic username, CJK custom_id and Cyrillic credential key as UTF-8 bytes', async () => {
    expect(await identity('ключ', 's1')).toEqual({
      'x-consumer-username': 'Пётр',
      'x-consumer-custom-id': '客户-7',
      'x-credential-identifier': 'ключ',
    });
  });
  it('sends Latin-1 names as UTF-8 bytes too, as Kong does', async () => {
    expect(await identity('k-josé', 's2')).toEqual({
      'x-consumer-username': 'José',
      'x-consumer-custom-id': 'plain',
      'x-credential-identifier': 'k-josé',
    });
  });
  it('leaves ASCII values unchanged', async () => {
    expect(await identity('k-ascii', 's3')).toEqual({ 'x-consumer-username': 'ascii', 'x-credential-identifier': 'k-ascii' });
  });
});
