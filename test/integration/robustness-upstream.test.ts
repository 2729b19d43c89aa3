// Misbehaving upstreams and vanishing clients: clear 502s, aborted upstream requests, in-flight counters back to zero.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawExchange, simpleDocument, startPlane, type RunningPlane } from '../helpers/data-plane-harness.js';

/** What the raw upstream answers, by the first path segment of the upstream request. */
const ANSWERS: Record<string, string | Buffer> = {
  'bad-cl': 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nok',
  'cl-te': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'two-cl': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok',
  'bare-cr': 'HTTP/1.1 200 OK\r\nX-A: a\rSet-Cookie: evil\r\nContent-Length: 2\r\n\r\nok',
  upgrade: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nraw',
  continue: 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  'early-hints': 'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok',
  garbage: 'garbage\r\n\r\n',
  'raw-bytes': Buffer.concat([
    Buffer.from('HTTP/1.1 200 OK\r\nX-Utf8: é€\r\nX-Latin1: '),
    Buffer.from([0xe9]),
    Buffer.from('\r\nContent-Length: 2\r\n\r\nok'),
  ]),
};

let upstream: net.Server;
let upstreamPort = 0;
let gw: RunningPlane;
/** Upstream sockets that were closed by the gateway while a request on them was pending. */
let uploadsAborted = 0;
let uploadsArrived = 0;

beforeAll(async () => {
  upstream = net.createServer((socket) => {
    let head = '';
    let uploading = false;
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => {
      if (uploading) return;
      head += d.toString('latin1');
      // Keep-alive: the gateway reuses connections, so answer every request head on this socket.
      for (let end = head.indexOf('\r\n\r\n'); end !== -1; end = head.indexOf('\r\n\r\n')) {
        const key = /^\w+ \/([^/ ?]*)/.exec(head)?.[1] ?? '';
        head = head.slice(end + 4);
        if (key === 'upload') {
          uploading = true;
          uploadsArrived++;
          socket.on('close', () => uploadsAborted++);
          return;
        }
        const answer = ANSWERS[key];
        if (answer === undefined) {
          socket.destroy();
          return;
        }
        socket.write(answer);
      }
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamPort = (upstream.address() as net.AddressInfo).port;
  gw = await startPlane(simpleDocument(`http://127.0.0.1:${upstreamPort}`, [{ name: 'all', paths: ['/'] }]));
});

afterAll(async () => {
  await gw?.close();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return check();
}

describe('upstream faults', () => {
  it.each(['bad-cl', 'cl-te', 'two-cl', 'bare-cr', 'upgrade', 'garbage', 'closed'])(
    "answers Kong's 502 when the upstream response is malformed (%s)",
    async (key) => {
      const answer = await rawExchange(gw.port, `GET /${key} HTTP/1.1\r\nHost: x\r\n\r\n`, 150);
      expect(answer).toMatch(/^HTTP\/1\.1 502 /);
      expect(answer).toContain('{"message":"An invalid response was received from the upstream server"}');
      expect(answer).not.toContain('evil');
    },
  );

  it('answers 502, not a hang, to an unsolicited 100 Continue (undici refuses it)', async () => {
    expect(await rawExchange(gw.port, 'GET /continue HTTP/1.1\r\nHost: x\r\n\r\n', 150)).toMatch(/^HTTP\/1\.1 502 /);
  });

  it('skips a 103 Early Hints response and relays the final one', async () => {
    const answer = await rawExchange(gw.port, 'GET /early-hints HTTP/1.1\r\nHost: x\r\n\r\n', 150);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('relays non-ASCII response header bytes unchanged instead of re-encoding them', async () => {
    const answer = Buffer.from(await rawExchange(gw.port, 'GET /raw-bytes HTTP/1.1\r\nHost: x\r\n\r\n', 150), 'latin1');
    expect(answer.includes(Buffer.from('\r\nx-utf8: é€\r\n', 'utf8'))).toBe(true);
    expect(answer.includes(Buffer.concat([Buffer.from('\r\nx-latin1: '), Buffer.from([0xe9]), Buffer.from('\r\n')]))).toBe(true);
  });

  it('leaves no request in flight after the malformed responses', () => {
    expect(gw.plane.counters().inFlight).toBe(0);
  });
});

describe('client gone mid-upload', () => {
  it.each([
    ['Content-Length: 1000000', 'a'.repeat(1000)],
    ['Transfer-Encoding: chunked', `3e8\r\n${'a'.repeat(1000)}\r\n`],
  ])('aborts the upstream request and frees the in-flight slot (%s)', async (framing, firstBytes) => {
    const arrived = uploadsArrived;
    const aborted = uploadsAborted;
    const socket = net.connect(gw.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write(`POST /upload HTTP/1.1\r\nHost: x\r\n${framing}\r\n\r\n${firstBytes}`);
    expect(await until(() => uploadsArrived === arrived + 1, 3000)).toBe(true);
    expect(gw.plane.counters().inFlight).toBe(1);
    socket.destroy();
    expect(await until(() => uploadsAborted === aborted + 1 && gw.plane.counters().inFlight === 0, 3000)).toBe(true);
  });
});
