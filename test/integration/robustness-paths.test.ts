// Path tricks, raw bytes in the request target and spoofed headers: the jwt route is never bypassed, the upstream sees normalized paths.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../helpers/tokens.js';
import {
  SERVING_ENGINE,
  closeInOrder,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

let upstream: Upstream;
let gw: RunningPlane;
const seen: Seen[] = [];
const token = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1' }, 'secret');

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    // node:http hands over the request target and header values byte for byte as latin1.
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        { name: 'api', paths: ['/api'], plugins: [{ name: 'jwt' }] },
        { name: 'pub', paths: ['/public'] },
      ],
      {
        top: {
          consumers: [{ id: 'a1c3e5f7-0001-4a2b-8c3d-000000000001', username: 'u1', jwt_secrets: [{ key: 'k1', secret: 'secret' }] }],
        },
      },
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream));

async function get(target: string | Buffer, extra = ''): Promise<{ status: number; upstream: Seen | null }> {
  const before = seen.length;
  const head = Buffer.isBuffer(target)
    ? Buffer.concat([Buffer.from('GET '), target, Buffer.from(` HTTP/1.1\r\nHost: x\r\n${extra}\r\n`)])
    : `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;
  const answer = await rawExchange(gw.port, head, 120);
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  return { status: m === null ? 0 : Number(m[1]), upstream: seen.length > before ? seen[seen.length - 1]! : null };
}

describe('path tricks', () => {
  it.each([
    '/public/../api/x',
    '/public/%2e%2e/api/x',
    '/public/%2E%2E/api',
    '//api/x',
    '/./api',
    '/.%2e/api',
    '/public/./../api',
    '/public/../../../api',
    '/public;/../api',
    '/api%3Fx',
    '/api%23x',
    '/api/x?x=%zz',
  ])('authenticates %s, which normalizes onto the jwt route, and never forwards it', async (target) => {
    const r = await get(target);
    expect(r.status).toBe(401);
    expect(r.upstream).toBeNull();
  });

  it.each([
    ['/public%2F..%2Fapi', '/%2F..%2Fapi'],
    ['/public/..%2Fapi', '/..%2Fapi'],
    ['/public/%c0%ae%c0%ae/api', '/%C0%AE%C0%AE/api'],
    ['/public/a%2Fb', '/a%2Fb'],
    ['/%70ublic/x', '/x'],
    ['/public/x%20y', '/x%20y'],
    ['/public/%7euser', '/~user'],
  ])('keeps reserved escapes in %s and sends the normalized path %s upstream', async (target, upstreamPath) => {
    const r = await get(target);
    expect(r.status).toBe(200);
    expect(r.upstream!.url).toBe(upstreamPath);
    expect(r.upstream!.headers['x-forwarded-path']).toBe(target);
  });

  it.each(['/api%00', '/public/%ZZ', '/public/%2'])('returns 400 for %s without contacting the upstream', async (target) => {
    const r = await get(target);
    expect(r.status).toBe(400);
    expect(r.upstream).toBeNull();
  });

  it('matches prefixes case-sensitively: /API gets 404, not the jwt route and not the upstream', async () => {
    const r = await get('/API/x');
    expect(r.status).toBe(404);
    expect(r.upstream).toBeNull();
  });
});

// uWS accepts raw bytes above 0x7F in the target; Node's parser (llhttp) refuses them as an invalid URL (RFC 3986
// allows only ASCII there), and only its insecureHTTPParser, which also loosens header and chunk framing, would let
// them through. So the node engine answers a clear 400 without contacting the upstream: never a 502.
describe.runIf(SERVING_ENGINE === 'uws')('non-ASCII bytes in the request target (uws engine)', () => {
  it('forwards a UTF-8 query percent-encoded instead of failing with 502', async () => {
    const r = await get(Buffer.from('/public/a?q=€é&r=x y'.replace(' ', '%20'), 'utf8'));
    expect(r.status).toBe(200);
    expect(r.upstream!.url).toBe('/a?q=%E2%82%AC%C3%A9&r=x%20y');
  });

  it('percent-encodes a UTF-8 path upstream and sends the raw bytes as X-Forwarded-Path', async () => {
    const r = await get(Buffer.from('/public/€', 'utf8'));
    expect(r.status).toBe(200);
    expect(r.upstream!.url).toBe('/%E2%82%AC');
    expect(Buffer.from(r.upstream!.headers['x-forwarded-path'] as string, 'latin1').toString('utf8')).toBe('/public/€');
  });

  it('proxies a path with invalid UTF-8 bytes (as U+FFFD) instead of failing with 502', async () => {
    const r = await get(Buffer.concat([Buffer.from('/public/'), Buffer.from([0xc0, 0xae])]));
    expect(r.status).toBe(200);
    expect(r.upstream!.url).toBe('/%EF%BF%BD%EF%BF%BD');
  });
});

describe.runIf(SERVING_ENGINE === 'node')('non-ASCII bytes in the request target (node engine)', () => {
  it.each([
    ['a UTF-8 query', Buffer.from('/public/a?q=€é', 'utf8')],
    ['a UTF-8 path', Buffer.from('/public/€', 'utf8')],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('/public/'), Buffer.from([0xc0, 0xae])])],
  ])('answers 400 in the gateway JSON shape to %s and never forwards it', async (_what, target) => {
    const head = Buffer.concat([Buffer.from('GET '), target, Buffer.from(' HTTP/1.1\r\nHost: x\r\n\r\n')]);
    const before = seen.length;
    const answer = await rawExchange(gw.port, head, 120);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('{"message":"Bad request"}');
    expect(seen.length).toBe(before);
  });
});

describe('spoofed headers', () => {
  const spoof =
    'X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil\r\nX-Forwarded-Port: 1\r\n' +
    'X-Forwarded-Path: /evil\r\nX-Forwarded-Prefix: /evil\r\nX-Real-IP: 6.6.6.6\r\nVia: 1.0 evil\r\nX-Kong-Request-Id: evil\r\n' +
    'X-Consumer-ID: evil\r\nX-Consumer-Username: evil\r\nX-Credential-Identifier: evil\r\nX-Anonymous-Consumer: true\r\n';

  it('replaces forwarding headers on an open route and, like Kong, leaves client X-Consumer-* untouched there', async () => {
    const h = (await get('/public/a', spoof)).upstream!.headers;
    expect(h['x-forwarded-for']).toBe('6.6.6.6, 127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-host']).toBe('x');
    expect(h['x-forwarded-port']).toBe(String(gw.port));
    expect(h['x-forwarded-path']).toBe('/public/a');
    expect(h['x-forwarded-prefix']).toBe('/public');
    expect(h.via).toMatch(/^1\.0 evil, 1\.1 portcullis\//);
    expect(h['x-kong-request-id']).not.toBe('evil');
    expect(h['x-consumer-id']).toBe('evil');
  });

  it('overwrites or removes every client consumer header on an authenticated route', async () => {
    const h = (await get('/api/a', `Authorization: Bearer ${token}\r\n${spoof}`)).upstream!.headers;
    expect(h['x-consumer-id']).toBe('a1c3e5f7-0001-4a2b-8c3d-000000000001');
    expect(h['x-consumer-username']).toBe('u1');
    expect(h['x-credential-identifier']).toBe('k1');
    expect(h['x-anonymous-consumer']).toBeUndefined();
  });

  it('keeps its own consumer and forwarding headers when the client lists them in Connection', async () => {
    const h = (
      await get(
        '/api/a',
        `Authorization: Bearer ${token}\r\n` +
          'Connection: x-consumer-id, x-credential-identifier, x-forwarded-for, via, x-kong-request-id, x-real-ip, host\r\n',
      )
    ).upstream!.headers;
    expect(h['x-consumer-id']).toBe('a1c3e5f7-0001-4a2b-8c3d-000000000001');
    expect(h['x-credential-identifier']).toBe('k1');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h.via).toMatch(/^1\.1 portcullis\//);
    expect(h['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(h.host).toBe(`127.0.0.1:${upstream.port}`);
  });

  it('authenticates first, then drops Authorization from the upstream request when Connection names it (hop-by-hop)', async () => {
    const r = await get('/api/a', `Authorization: Bearer ${token}\r\nConnection: authorization\r\n`);
    expect(r.status).toBe(200);
    expect(r.upstream!.headers.authorization).toBeUndefined();
    expect(r.upstream!.headers['x-consumer-id']).toBe('a1c3e5f7-0001-4a2b-8c3d-000000000001');
  });
});
