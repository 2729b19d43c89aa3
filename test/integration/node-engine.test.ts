// What the node engine does that uWS cannot, with real clients: curl, node's http2 client (h2c and TLS) and raw sockets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import http2 from 'node:http2';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { GatewayHandle } from '../../src/gateway.js';
import { startTestGateway, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { createTestCa, type TestCa } from '../helpers/tls-certs.js';
import { curlHttps } from '../helpers/tls-clients.js';
import {
  closeInOrder,
  echoedHeader,
  echoHandler,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const run = promisify(execFile);

interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  length: number;
  body: string;
}

let upstream: Upstream;
let gw: RunningPlane;
/** The same pipeline on an h2c (`http2`) listener. */
let h2c: RunningPlane;

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    if (req.url?.startsWith('/svc/unframed')) {
      // No Content-Length: HTTP/1.1 clients get chunked, HTTP/1.0 clients a body ended by close.
      req.resume();
      res.setHeader('x-latin', Buffer.from('caf\xe9', 'latin1').toString('latin1'));
      res.write('part one, ');
      setImmediate(() => res.end('part two'));
      return;
    }
    echo(req, res);
  });
  const routes = [{ name: 'api', paths: ['/api'] }];
  gw = await startPlane(
    simpleDocument(`${upstream.url}/svc`, routes, {
      gateway: { http_engine: 'node', max_header_bytes: 16384 },
    }),
  );
  h2c = await startPlane(simpleDocument(`${upstream.url}/svc`, routes, { gateway: { proxy_listen: '127.0.0.1:0 http2' } }));
});

afterAll(async () => {
  await closeInOrder(gw, h2c, upstream);
});

/** Everything after the head of a raw HTTP/1.x answer. */
function bodyOf(answer: string): string {
  return answer.slice(answer.indexOf('\r\n\r\n') + 4);
}

describe('node engine over HTTP/1.x', () => {
  it('answers curl --http1.0 without chunked coding and closes the connection', async () => {
    const { stdout } = await run('curl', ['-s', '-i', '--http1.0', `${gw.origin}/api/unframed`]);
    expect(stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(stdout.toLowerCase()).not.toContain('transfer-encoding');
    expect(stdout.toLowerCase()).toContain('connection: close');
    expect(bodyOf(stdout)).toBe('part one, part two');
  });

  it('keeps an HTTP/1.0 connection open when the client asks for keep-alive', async () => {
    const answer = await rawExchange(gw.port, 'GET /api/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.toLowerCase()).toContain('connection: keep-alive');
  });

  it('serves an absolute-form target, routing by its authority', async () => {
    const answer = await rawExchange(
      gw.port,
      'GET http://example.test/api/abs?q=1 HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const echo = JSON.parse(bodyOf(answer)) as Echo;
    expect(echo.url).toBe('/svc/abs?q=1');
    expect(echoedHeader(echo, 'x-forwarded-host')).toEqual(['example.test']);
  });

  it('reads an 8 KiB head sent in three pieces', async () => {
    const head = `GET /api/big HTTP/1.1\r\nHost: a\r\nX-Big: ${'t'.repeat(8192)}\r\nConnection: close\r\n\r\n`;
    const socket = net.connect(gw.port, '127.0.0.1');
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    const third = Math.ceil(head.length / 3);
    for (let i = 0; i < 3; i++) {
      socket.write(head.slice(i * third, (i + 1) * third));
      await new Promise((r) => setTimeout(r, 30));
    }
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(echoedHeader(JSON.parse(bodyOf(answer)) as Echo, 'x-big')[0]).toHaveLength(8192);
  });

  it('answers a head over max_header_bytes with 400, and one far beyond with 431, in the gateway JSON shape', async () => {
    const over = await rawExchange(gw.port, `GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'o'.repeat(16_500)}\r\n\r\n`);
    expect(over).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(over)).toBe('{"message":"Request header or cookie too large"}');
    const far = await rawExchange(gw.port, `GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'f'.repeat(40_000)}\r\n\r\n`);
    expect(far).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(bodyOf(far)).toBe('{"message":"Request header or cookie too large"}');
  });

  it('answers pipelined requests in order on one connection', async () => {
    const answer = await rawExchange(
      gw.port,
      'GET /api/one HTTP/1.1\r\nHost: a\r\n\r\nGET /api/two HTTP/1.1\r\nHost: a\r\n\r\nGET /api/three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
    );
    const urls = [...answer.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
    expect(urls).toEqual(['/svc/one', '/svc/two', '/svc/three']);
  });

  it('answers a client that half-closes right after sending its request', async () => {
    const socket = net.connect({ port: gw.port, host: '127.0.0.1', allowHalfOpen: true });
    let answer = '';
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
    });
    const ended = new Promise<void>((r) => socket.on('end', () => r()));
    socket.end('POST /api/half HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello');
    await ended;
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect((JSON.parse(bodyOf(answer)) as Echo).body).toBe('hello');
  });

  it('passes non-ASCII header bytes through unchanged, both ways', async () => {
    const request = Buffer.concat([
      Buffer.from('GET /api/unframed HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Name: '),
      Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0xff]),
      Buffer.from('\r\n\r\n'),
    ]);
    const answer = await rawExchange(gw.port, request);
    expect(answer).toContain('x-latin: caf\xe9\r\n');
    const echoed = await rawExchange(gw.port, Buffer.from(request.toString('latin1').replace('/unframed', '/echo'), 'latin1'));
    expect(echoedHeader(JSON.parse(Buffer.from(bodyOf(echoed), 'latin1').toString('utf8')) as Echo, 'x-name')).toEqual([
      Buffer.from([0x63, 0x61, 0x66, 0xc3, 0xa9, 0xff]).toString('latin1'),
    ]);
  });

  it('proxies every method token the parser accepts and refuses an unknown one with 400', async () => {
    for (const method of ['PROPFIND', 'MKCOL', 'PURGE', 'REPORT', 'LINK']) {
      const answer = await rawExchange(gw.port, `${method} /api/m HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`);
      expect(answer, method).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect((JSON.parse(bodyOf(answer)) as Echo).method).toBe(method);
    }
    const unknown = await rawExchange(gw.port, 'BREW /api/m HTTP/1.1\r\nHost: a\r\n\r\n');
    expect(unknown).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bodyOf(unknown)).toBe('{"message":"Bad request"}');
  });

  it('gives the same gateway answers as the uWS engine (404 with a request id, duplicate Content-Length 400)', async () => {
    const miss = await rawExchange(gw.port, 'GET /nowhere HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    expect(miss).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(JSON.parse(bodyOf(miss))).toEqual({
      message: 'no Route matched with those values',
      request_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const dup = await rawExchange(gw.port, 'POST /api/x HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx');
    expect(dup).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});

describe('node engine over HTTP/2 (h2c prior knowledge)', () => {
  it('answers curl --http2-prior-knowledge', async () => {
    const { stdout } = await run('curl', ['-s', '-i', '--http2-prior-knowledge', `${h2c.origin}/api/h2?x=1`]);
    expect(stdout).toMatch(/^HTTP\/2 200 ?\r\n/);
    expect((JSON.parse(bodyOf(stdout)) as Echo).url).toBe('/svc/h2?x=1');
    expect(stdout).toMatch(/\r\nvia: 1\.1 portcullis\/[^\r]+\r\n/);
  });

  it("serves node's http2 client: a GET and a streamed POST without Content-Length on one session", async () => {
    const session = http2.connect(h2c.origin);
    try {
      const call = (headers: http2.OutgoingHttpHeaders, body?: Buffer[]): Promise<{ status: number; text: string }> =>
        new Promise((resolve, reject) => {
          const stream = session.request(headers, { endStream: body === undefined });
          let status = 0;
          let text = '';
          stream.on('response', (h) => {
            status = Number(h[':status']);
          });
          stream.setEncoding('utf8');
          stream.on('data', (d: string) => {
            text += d;
          });
          stream.on('end', () => resolve({ status, text }));
          stream.on('error', reject);
          if (body) {
            for (const chunk of body) stream.write(chunk);
            stream.end();
          }
        });
      const get = await call({ ':path': '/api/get' });
      expect(get.status).toBe(200);
      expect((JSON.parse(get.text) as Echo).url).toBe('/svc/get');
      const post = await call({ ':method': 'POST', ':path': '/api/post' }, [Buffer.alloc(70_000, 1), Buffer.alloc(30_000, 2)]);
      expect(post.status).toBe(200);
      expect((JSON.parse(post.text) as Echo).length).toBe(100_000);
      const miss = await call({ ':path': '/elsewhere' });
      expect(miss.status).toBe(404);
    } finally {
      session.close();
    }
  });
});

describe('node engine over HTTP/2 with TLS (ALPN, HTTP/1.1 fallback)', () => {
  let ca: TestCa;
  let tlsUpstream: Upstream;
  let gateway: GatewayHandle;
  let port: number;

  beforeAll(async () => {
    ca = createTestCa();
    const cert = ca.leaf('h2-cert', ['h2.example.test']);
    tlsUpstream = await startUpstream(echoHandler());
    const path = writeConfig(join(tempDir(), 'kong.json'), {
      _format_version: '3.0',
      gateway: {
        proxy_listen: '127.0.0.1:0 http2 ssl',
        admin_listen: 'off',
        workers: 1,
        ssl_cert: cert.certFile,
        ssl_cert_key: cert.keyFile,
      },
      services: [{ name: 'svc', url: `${tlsUpstream.url}/svc`, routes: [{ name: 'api', paths: ['/api'] }] }],
    });
    gateway = (await startTestGateway(path)).gateway;
    port = gateway.proxyPort;
  });

  afterAll(async () => {
    await gateway?.stop();
    await tlsUpstream?.close();
    ca?.cleanup();
  });

  it('answers curl --http2 over TLS with HTTP/2 and curl --http1.1 with HTTP/1.1 on the same listener', async () => {
    const h2 = await curlHttps(port, 'h2.example.test', '/api/x', ca.caFile, ['--http2', '-i']);
    expect(h2.body).toMatch(/^HTTP\/2 200 ?\r\n/);
    expect(h2.status).toBe(200);
    const h1 = await curlHttps(port, 'h2.example.test', '/api/x', ca.caFile, ['--http1.1', '-i']);
    expect(h1.body).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(h1.status).toBe(200);
  });

  it("serves node's http2 client over TLS, with X-Forwarded-Proto https upstream", async () => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.caPem, servername: 'h2.example.test' });
    try {
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const stream = session.request({ ':path': '/api/tls', ':authority': 'h2.example.test' });
        let s = 0;
        let t = '';
        stream.on('response', (h) => {
          s = Number(h[':status']);
        });
        stream.setEncoding('utf8');
        stream.on('data', (d: string) => {
          t += d;
        });
        stream.on('end', () => resolve({ status: s, text: t }));
        stream.on('error', reject);
      });
      expect(status).toBe(200);
      const echo = JSON.parse(text) as Echo;
      expect(echo.url).toBe('/svc/tls');
      expect(echoedHeader(echo, 'x-forwarded-proto')).toEqual(['https']);
      expect(echoedHeader(echo, 'x-forwarded-port')).toEqual([String(port)]);
    } finally {
      session.close();
    }
  });
});
