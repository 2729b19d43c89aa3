// Adversarial request framing against the running data plane: ambiguous bodies, duplicate headers, oversized heads, upgrades.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoHandler,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

let upstream: Upstream;
let gw: RunningPlane;
/** Request lines the upstream received, in order. */
const seen: string[] = [];
const token = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1' }, 'secret');

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    echo(req, res);
  });
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        { name: 'api', paths: ['/api'], plugins: [{ name: 'jwt' }] },
        { name: 'pub', paths: ['/public'] },
      ],
      {
        gateway: { max_header_bytes: 8192 },
        top: { consumers: [{ username: 'u1', jwt_secrets: [{ key: 'k1', secret: 'secret' }] }] },
      },
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream));

function statusOf(answer: string): number {
  const m = /^HTTP\/1\.1 (\d{3}) /.exec(answer);
  return m === null ? 0 : Number(m[1]);
}

/** Sends raw bytes; returns the status (0 = no response) and how many requests reached the upstream. */
async function send(text: string): Promise<{ status: number; answer: string; reached: number }> {
  const before = seen.length;
  const answer = await rawExchange(gw.port, text, 150);
  return { status: statusOf(answer), answer, reached: seen.length - before };
}

const POST = 'POST /public/a HTTP/1.1\r\nHost: x\r\n';

describe('request framing', () => {
  it('returns 400 for two equal Content-Length headers without contacting the upstream', async () => {
    const r = await send(`${POST}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`);
    expect(r.status).toBe(400);
    expect(r.answer).toContain('{"message":"Bad request"}');
    expect(r.reached).toBe(0);
  });

  it('returns 400 for two different Content-Length headers without contacting the upstream', async () => {
    const r = await send(`${POST}Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc`);
    expect(r.status).toBe(400);
    expect(r.reached).toBe(0);
  });

  it.each([['chunked, identity'], ['identity, chunked'], ['xchunked'], ['gzip, chunked']])(
    'returns 400 for Transfer-Encoding: %s without contacting the upstream',
    async (te) => {
      const r = await send(`${POST}Transfer-Encoding: ${te}\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
      expect(r.status).toBe(400);
      expect(r.reached).toBe(0);
    },
  );

  it('returns 400 for a repeated Transfer-Encoding header', async () => {
    const r = await send(`${POST}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(r.reached).toBe(0);
  });

  it('still accepts Transfer-Encoding: chunked in any letter case', async () => {
    const r = await send(`${POST}Transfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n`);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.answer.slice(r.answer.indexOf('{'))).body).toBe('abc');
  });

  it('never forwards a Content-Length + Transfer-Encoding request or the request smuggled behind it', async () => {
    const r = await send(
      `${POST}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /public/smuggled HTTP/1.1\r\nHost: x\r\n\r\n`,
    );
    expect(r.status === 0 || (r.status >= 400 && r.status < 500)).toBe(true);
    expect(r.reached).toBe(0);
  });

  it.each([
    ['a', 'b'],
    ['a', 'a'],
    ['', 'b'],
  ])('returns 400 for two Host headers (%j, %j) without contacting the upstream', async (h1, h2) => {
    const r = await send(`GET /public/a HTTP/1.1\r\nHost: ${h1}\r\nHost: ${h2}\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(r.reached).toBe(0);
  });
});

describe('oversized request heads', () => {
  it('returns 414 for a request target longer than max_header_bytes that arrives in one read', async () => {
    const r = await send(`GET /public/${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(r.status).toBe(414);
    expect(r.answer).toContain('{"message":"URI too long"}');
    expect(r.reached).toBe(0);
  });

  it('returns 414 when the query string makes the target too long', async () => {
    const r = await send(`GET /public/a?q=${'b'.repeat(9000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(r.status).toBe(414);
    expect(r.reached).toBe(0);
  });

  it('returns 400 "Request header or cookie too large" for headers over max_header_bytes', async () => {
    const r = await send(`GET /public/a HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(9000)}\r\n\r\n`);
    expect(r.status).toBe(400);
    expect(r.answer).toContain('{"message":"Request header or cookie too large"}');
    expect(r.reached).toBe(0);
  });

  it('still proxies a head just under max_header_bytes', async () => {
    const r = await send(`GET /public/a HTTP/1.1\r\nHost: x\r\nCookie: ${'c'.repeat(7000)}\r\n\r\n`);
    expect(r.status).toBe(200);
    expect(r.reached).toBe(1);
  });
});

describe('websocket upgrades', () => {
  const ws = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

  it('answers 501 to a WebSocket upgrade on an open route without contacting the upstream', async () => {
    const r = await send(`GET /public/ws HTTP/1.1\r\nHost: x\r\n${ws}\r\n`);
    expect(r.status).toBe(501);
    expect(r.answer).toContain('{"message":"WebSocket upgrades are not supported"}');
    expect(r.reached).toBe(0);
  });

  it('authenticates a WebSocket upgrade on a jwt route before refusing it', async () => {
    expect((await send(`GET /api/ws HTTP/1.1\r\nHost: x\r\n${ws}\r\n`)).status).toBe(401);
    const r = await send(`GET /api/ws HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n${ws}\r\n`);
    expect(r.status).toBe(501);
    expect(r.reached).toBe(0);
  });

  it('proxies a request carrying an h2c Upgrade offer as plain HTTP/1.1 without the Upgrade header', async () => {
    const r = await send(
      'GET /public/a HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n',
    );
    expect(r.status).toBe(200);
    const echoed = JSON.parse(r.answer.slice(r.answer.indexOf('{'))) as { headers: Record<string, string> };
    expect(echoed.headers.upgrade).toBeUndefined();
    expect(echoed.headers['http2-settings']).toBeUndefined();
  });

  it('keeps the in-flight counter at zero after refused and framing-rejected requests', () => {
    expect(gw.plane.counters().inFlight).toBe(0);
  });
});
