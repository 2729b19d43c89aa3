// A uWS connection whose first request uWS 20.43 can never serve (HTTP/1.0, other targets, no Host) is answered at once.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_MESSAGES, messageBody } from '../../src/errors.js';
import { uwsPeerHook } from '../../src/native/uws-peers.js';
import { JSON_TYPE } from '../../src/server/response-common.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';
import { createTestCa, type TestCa } from '../helpers/tls-certs.js';
import {
  closeInOrder,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const canHook = uwsPeerHook() !== null && uwsBinaryAvailable();

/** The addon writes these answers itself (first_request.cc): they must stay the gateway's messages, in its JSON shape. */
function gatewayAnswer(status: string, message: string): string {
  const body = messageBody(message);
  return `HTTP/1.1 ${status}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;
}
const BAD_REQUEST = gatewayAnswer('400 Bad Request', GATEWAY_MESSAGES.badRequest);
const VERSION = gatewayAnswer('505 HTTP Version Not Supported', GATEWAY_MESSAGES.httpVersionNotSupported);

/** The whole answer to `text` sent as one write once `connect`'s socket is up, and how long until the gateway closed it. */
function answerTo(connect: (ready: () => void) => net.Socket, text: string): Promise<{ answer: string; closedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(() => socket.write(text));
    let answer = '';
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedMs: Date.now() - started });
    });
  });
}

const exchange = (port: number, text: string) => answerTo((ready) => net.connect(port, '127.0.0.1', ready), text);
/** Over TLS (the test CA's certificate is not checked: only the bytes inside matter here). */
const tlsExchange = (port: number, text: string) =>
  answerTo((ready) => tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false }, ready), text);

let upstream: Upstream;
let plain: RunningPlane;
let secure: RunningPlane;
let ca: TestCa;

beforeAll(async () => {
  if (!canHook) return;
  upstream = await startUpstream((req, res) => {
    let length = 0;
    req.on('data', (c: Buffer) => (length += c.length));
    req.on('end', () => res.end(`${req.method} ${req.url} ${length}`));
  });
  plain = await startPlane(simpleDocument(upstream.url, [{ name: 'all', paths: ['/'] }], { gateway: { http_engine: 'uws' } }));
  ca = createTestCa();
  const leaf = ca.leaf('gateway', ['localhost']);
  secure = await startPlane(
    simpleDocument(upstream.url, [{ name: 'all', paths: ['/'] }], {
      gateway: { proxy_listen: '127.0.0.1:0 ssl', http_engine: 'uws', ssl_cert: leaf.certFile, ssl_cert_key: leaf.keyFile },
    }),
  );
});

afterAll(async () => {
  await closeInOrder(secure, plain, upstream);
  ca?.cleanup();
});

describe.skipIf(!canHook)("uWS engine: a first request uWS's parser would never answer", () => {
  it('answers HTTP/1.0 with 505 at once and closes, where uWS waited for its 10 s idle timeout', async () => {
    const { answer, closedMs } = await exchange(plain.port, 'GET /x HTTP/1.0\r\nHost: app.test\r\n\r\n');
    expect(answer).toBe(VERSION);
    expect(closedMs).toBeLessThan(2000);
  });

  it.each([
    ['an absolute-form target', 'GET http://app.test/x HTTP/1.1\r\nHost: app.test\r\n\r\n'],
    ['an asterisk target', 'OPTIONS * HTTP/1.1\r\nHost: app.test\r\n\r\n'],
    ['a CONNECT request', 'CONNECT app.test:443 HTTP/1.1\r\nHost: app.test:443\r\n\r\n'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
    ['bare LF line ends', 'GET /x HTTP/1.1\nHost: app.test\n\n'],
    ['a head without Host', 'GET /x HTTP/1.1\r\nAccept: */*\r\n\r\n'],
    ['a head without any header', 'GET /x HTTP/1.1\r\n\r\n'],
  ])('answers %s with 400 at once and closes', async (_what, text) => {
    const { answer, closedMs } = await exchange(plain.port, text);
    expect(answer).toBe(BAD_REQUEST);
    expect(closedMs).toBeLessThan(2000);
  });

  it('reads and drops what the client still sends after the answer, so it gets the answer, not a reset', async () => {
    // An HTTP/1.0 upload whose body follows its head: the client writes it all before it reads (most clients do).
    const socket = net.connect({ port: plain.port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    const errors: string[] = [];
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('POST /up HTTP/1.0\r\nHost: app.test\r\nContent-Length: 300000\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (let i = 0; i < 3; i++) {
      socket.write(Buffer.alloc(100_000, 0x61));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    socket.end();
    await closed;
    expect(errors).toEqual([]);
    expect(answer).toBe(VERSION);
  });

  it('serves HTTP/1.1 as before, with Host in any case and anywhere in the head', async () => {
    const answer = await rawExchange(plain.port, 'GET /a HTTP/1.1\r\nAccept: */*\r\nhOsT: app.test\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/a 0$/);
  });

  it('judges only the first read: a body that reads like an HTTP/1.0 request line is uploaded', async () => {
    const body = 'GET / HTTP/1.0\r\n\r\n';
    const socket = net.connect(plain.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(`POST /up HTTP/1.1\r\nHost: app.test\r\nContent-Length: ${body.length}\r\n\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(body);
    await expect.poll(() => answer, { timeout: 3000 }).toMatch(/\r\n\r\nPOST \/up 18$/);
    socket.destroy();
  });

  it('answers the same on a TLS listener, inside the TLS connection', async () => {
    const version = await tlsExchange(secure.port, 'GET /x HTTP/1.0\r\nHost: localhost\r\n\r\n');
    expect(version.answer).toBe(VERSION);
    const noHost = await tlsExchange(secure.port, 'GET /x HTTP/1.1\r\n\r\n');
    expect(noHost.answer).toBe(BAD_REQUEST);
    expect(Math.max(version.closedMs, noHost.closedMs)).toBeLessThan(2000);
  });
});
