// Answers the gateway makes before reading the body reach clients that write their whole body first (Node's http client).
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeToken } from '../helpers/tokens.js';
import {
  closeInOrder,
  echoHandler,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

let upstream: Upstream;
let gw: RunningPlane;
/** Request lines the upstream received. */
const seen: string[] = [];
const good = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1', exp: 4102444800 }, 'secret');
const expired = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1', exp: 1000 }, 'secret');
const forged = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1' }, 'not-the-secret');
const KIB = 1024;

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/reset') {
      req.socket.resetAndDestroy();
      return;
    }
    echo(req, res);
  });
  gw = await startPlane(
    simpleDocument(upstream.url, [{ name: 'api', paths: ['/api'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] }], {
      gateway: { max_body_bytes: 8 * 1024 * KIB, discard_body_max_bytes: 1024 * KIB, lingering_time_ms: 3000, lingering_timeout_ms: 300 },
      top: { consumers: [{ username: 'u1', jwt_secrets: [{ key: 'k1', secret: 'secret' }] }] },
    }),
  );
});

afterAll(() => closeInOrder(gw, upstream));

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
  reused: boolean;
}

/** Node's http client: writes the whole body, then reads the answer. */
function post(agent: http.Agent, path: string, bytes: number, token: string | null): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': bytes };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const req = http.request({ agent, host: '127.0.0.1', port: gw.port, path, method: 'POST', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end(Buffer.alloc(bytes, 0x61));
  });
}

/**
 * A client that reads nothing until its whole body is written (the socket is paused meanwhile), as SDKs that
 * send then read behave; returns what it read afterwards and any socket error.
 */
async function writeThenRead(head: string, bodyBytes: number): Promise<{ answer: string; error: string | null }> {
  const socket = net.connect(gw.port, '127.0.0.1');
  let error: string | null = null;
  socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.pause();
  socket.write(head);
  const chunk = Buffer.alloc(64 * KIB, 0x63);
  for (let sent = 0; sent < bodyBytes && error === null; sent += chunk.length) {
    await new Promise<void>((resolve) => socket.write(chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent)), () => resolve()));
  }
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  socket.resume();
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    socket.on('close', done);
    setTimeout(done, 400);
  });
  socket.destroy();
  return { answer, error };
}

describe('refused uploads', () => {
  it.each([
    ['401 without a token', '/api/up', '', 'HTTP/1.1 401 ', '{"message":"Unauthorized"}'],
    ['401 for an expired token', '/api/up', `Authorization: Bearer ${expired}\r\n`, 'HTTP/1.1 401 ', '{"exp":"token expired"}'],
    ['404 without a route', '/nowhere', '', 'HTTP/1.1 404 ', 'no Route matched'],
  ])('delivers the %s to a client that writes 6 MiB before reading', async (_name, path, extra, statusLine, body) => {
    const before = seen.length;
    const r = await writeThenRead(`POST ${path} HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${6144 * KIB}\r\n\r\n`, 6144 * KIB);
    expect(r.error).toBeNull();
    expect(r.answer.startsWith(statusLine)).toBe(true);
    expect(r.answer).toContain(body);
    expect(seen.length - before).toBe(0);
  });

  it.each([
    ['no token', null, 401, '{"message":"Unauthorized"}'],
    ['an expired token', expired, 401, '{"exp":"token expired"}'],
    ['a badly signed token', forged, 401, '{"message":"Invalid signature"}'],
  ])('answers a 512 KiB upload with %s and keeps the connection', async (_name, token, status, body) => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = seen.length;
    const first = await post(agent, '/api/up', 512 * KIB, token);
    expect(first.status).toBe(status);
    expect(first.body).toBe(body);
    expect(first.headers['keep-alive']).toBe('timeout=5');
    const second = await post(agent, '/api/up', 100 * KIB, token);
    expect(second.status).toBe(status);
    expect(second.reused).toBe(true);
    expect(seen.length - before).toBe(0);
    agent.destroy();
  });

  it('answers uploads past discard_body_max_bytes and closes after reading the body (lingering close)', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = seen.length;
    for (const size of [1536 * KIB, 2048 * KIB, 4096 * KIB]) {
      const a = await post(agent, '/api/up', size, expired);
      expect(a.status).toBe(401);
      expect(a.body).toBe('{"exp":"token expired"}');
      expect(a.headers.connection).toBe('close');
      expect(a.reused).toBe(false);
    }
    expect(seen.length - before).toBe(0);
    agent.destroy();
  });

  it('answers 404 and 413 to clients that write first', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const nf = await post(agent, '/nowhere', 300 * KIB, null);
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body).message).toBe('no Route matched with those values');
    const big = await post(agent, '/api/up', 9 * 1024 * KIB, good);
    expect(big.status).toBe(413);
    expect(big.body).toBe('{"message":"Payload too large"}');
    agent.destroy();
  });

  it('answers a 502 to an upload whose upstream reset, and the connection stays usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) {
      const a = await post(agent, '/api/reset', 600 * KIB, good);
      expect(a.status).toBe(502);
      expect(a.body).toBe('{"message":"An invalid response was received from the upstream server"}');
    }
    const ok = await post(agent, '/api/fine', 10 * KIB, good);
    expect(ok.status).toBe(200);
    agent.destroy();
  });

  it('answers 400 for ambiguous framing to a client that writes first, then closes', async () => {
    const socket = net.connect(gw.port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const size = 200 * KIB;
    socket.write(`POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: ${size}\r\nContent-Length: ${size}\r\n\r\n`);
    socket.write(Buffer.alloc(size, 0x62));
    await closed;
    expect(out).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(out).toContain('\r\nConnection: close\r\n');
    expect(out).toContain('{"message":"Bad request"}');
  });

  it('closes a lingering connection whose client stops sending, after lingering_timeout_ms', async () => {
    const socket = net.connect(gw.port, '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /api/x HTTP/1.1\r\nHost: x\r\nContent-Length: ${6 * 1024 * KIB}\r\n\r\n`);
    socket.write(Buffer.alloc(256 * KIB, 0x62));
    const started = Date.now();
    await closed;
    expect(out).toContain('{"message":"Unauthorized"}');
    // Closed by the lingering timeout, well before uWS's own 10 s idle close.
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
