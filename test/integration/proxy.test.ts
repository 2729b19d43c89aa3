// Proxy behaviour of a real uWS data plane in front of a real node:http upstream, driven by a real undici client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, Agent } from 'undici';
import net from 'node:net';
import { Readable } from 'node:stream';
import {
  closeInOrder,
  echoedHeader,
  echoHandler,
  rawConversation,
  rawExchange,
  simpleDocument,
  startPlane,
  startUpstream,
  servedBy,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  headers: Record<string, string>;
  length: number;
  body: string;
}

const client = new Agent({ keepAliveTimeout: 1000 });
let upstream: Upstream;
let gw: RunningPlane;

async function call(path: string, init: Parameters<typeof request>[1] = {}) {
  return request(`${gw.origin}${path}`, { dispatcher: client, ...init });
}

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const url = req.url ?? '/';
    if (url.startsWith('/svc/status/')) {
      const status = Number(url.split('/')[3]);
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { etag: '"x"', 'x-status': String(status) });
        res.end();
      });
      return;
    }
    if (url.startsWith('/svc/cookies')) {
      req.resume();
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
      res.setHeader('keep-alive', 'timeout=99');
      res.setHeader('x-hop', 'drop-me');
      res.setHeader('connection', 'x-hop');
      res.end('cookies');
      return;
    }
    if (url.startsWith('/svc/head')) {
      req.resume();
      res.writeHead(200, { 'content-length': '11', 'content-type': 'text/plain' });
      res.end(req.method === 'HEAD' ? undefined : 'hello world');
      return;
    }
    if (url.startsWith('/svc/early-close')) {
      res.writeHead(401, { 'content-type': 'text/plain', connection: 'close' });
      res.end('refused early');
      return;
    }
    if (url.startsWith('/svc/early')) {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('refused early');
      return;
    }
    if (url.startsWith('/svc/chunked')) {
      req.resume();
      res.write('part1-');
      setImmediate(() => res.end('part2'));
      return;
    }
    echoHandler()(req, res);
  });
  gw = await startPlane(
    simpleDocument(
      `${upstream.url}/svc`,
      [
        { name: 'api', paths: ['/api'] },
        { name: 'keep', paths: ['/keep'], strip_path: false },
        { name: 'host', paths: ['/preserve'], preserve_host: true },
      ],
      { gateway: { max_body_bytes: 1024 * 1024 } },
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream, client));

describe('data plane proxy', () => {
  it('passes a GET with its query string through to the stripped upstream path', async () => {
    const res = await call('/api/items?x=1&y=%20z');
    expect(res.statusCode).toBe(200);
    const echo = (await res.body.json()) as Echo;
    expect(echo.method).toBe('GET');
    expect(echo.url).toBe('/svc/items?x=1&y=%20z');
    expect(res.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(echoedHeader(echo, 'x-kong-request-id')).toEqual([res.headers['x-kong-request-id']]);
  });

  it('keeps the route prefix in the upstream path when strip_path is false', async () => {
    const echo = (await (await call('/keep/a')).body.json()) as Echo;
    expect(echo.url).toBe('/svc/keep/a');
  });

  it('sends the service host upstream, or the client Host with preserve_host', async () => {
    const plain = (await (await call('/api/x', { headers: { host: 'client.example:8080' } })).body.json()) as Echo;
    expect(echoedHeader(plain, 'host')).toEqual([`127.0.0.1:${upstream.port}`]);
    const kept = (await (await call('/preserve/x', { headers: { host: 'client.example:8080' } })).body.json()) as Echo;
    expect(echoedHeader(kept, 'host')).toEqual(['client.example:8080']);
  });

  it('sets X-Forwarded-*, X-Real-IP and Via, ignoring the client values except the appended X-Forwarded-For', async () => {
    const res = await call('/api/fwd?q=1', {
      headers: {
        host: 'Gateway.Example:9999',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil',
        'x-forwarded-port': '1',
        'x-forwarded-path': '/evil',
        'x-forwarded-prefix': '/evil',
        'x-real-ip': '6.6.6.6',
        via: '1.0 fred',
      },
    });
    const echo = (await res.body.json()) as Echo;
    expect(echoedHeader(echo, 'x-forwarded-for')).toEqual(['10.0.0.1, 127.0.0.1']);
    expect(echoedHeader(echo, 'x-forwarded-proto')).toEqual(['http']);
    expect(echoedHeader(echo, 'x-forwarded-host')).toEqual(['gateway.example']);
    expect(echoedHeader(echo, 'x-forwarded-port')).toEqual([String(gw.port)]);
    expect(echoedHeader(echo, 'x-forwarded-path')).toEqual(['/api/fwd']);
    expect(echoedHeader(echo, 'x-forwarded-prefix')).toEqual(['/api']);
    expect(echoedHeader(echo, 'x-real-ip')).toEqual(['127.0.0.1']);
    expect(echoedHeader(echo, 'via')).toEqual(['1.0 fred, 1.1 portcullis/0.1.0']);
  });

  it('drops hop-by-hop request headers, including those named in Connection, and keeps TE: trailers only', async () => {
    const text = [
      'GET /api/hop HTTP/1.1',
      'Host: a',
      'Connection: keep-alive, X-Secret',
      'X-Secret: 1',
      'Keep-Alive: timeout=5',
      'Proxy-Connection: keep-alive',
      'Proxy: x',
      'Upgrade: h2c',
      'TE: trailers, deflate',
      'X-Kept: yes',
      '',
      '',
    ].join('\r\n');
    const raw = await rawExchange(gw.port, text, 200);
    const echo = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo.headers['x-secret']).toBeUndefined();
    expect(echo.headers['keep-alive']).toBeUndefined();
    expect(echo.headers['proxy-connection']).toBeUndefined();
    expect(echo.headers.proxy).toBeUndefined();
    expect(echo.headers.upgrade).toBeUndefined();
    expect(echo.headers.te).toBe('trailers');
    expect(echo.headers['x-kept']).toBe('yes');
  });

  it('streams a POST body with content-length to the upstream', async () => {
    const body = 'x'.repeat(100_000);
    const echo = (await (await call('/api/post', { method: 'POST', body })).body.json()) as Echo;
    expect(echo.method).toBe('POST');
    expect(echo.length).toBe(100_000);
    expect(echo.body).toBe('');
    expect(echoedHeader(echo, 'content-length')).toEqual(['100000']);
  });

  it('streams a chunked POST body to the upstream', async () => {
    async function* parts() {
      yield Buffer.from('hello ');
      yield Buffer.from('chunked ');
      yield Buffer.from('world');
    }
    const echo = (await (await call('/api/upload', { method: 'POST', body: Readable.from(parts()) })).body.json()) as Echo;
    expect(echo.body).toBe('hello chunked world');
    expect(echoedHeader(echo, 'transfer-encoding')).toEqual(['chunked']);
  });

  it('answers Expect: 100-continue and forwards the body without the Expect header', async () => {
    const [interim, final] = await rawConversation(gw.port, [
      'POST /api/expect HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n',
      'hello',
    ]);
    expect(interim).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    const echo = JSON.parse(final!.slice(final!.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo.body).toBe('hello');
    expect(echo.headers.expect).toBeUndefined();
  });

  it('returns HEAD with the upstream content-length and no body, and keeps the connection usable', async () => {
    const [head, get] = await rawConversation(gw.port, [
      'HEAD /api/head HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /api/head HTTP/1.1\r\nHost: a\r\n\r\n',
    ]);
    expect(head).toMatch(/^HTTP\/1.1 200 OK/);
    expect(head).toMatch(/content-length: 11\r\n/i);
    expect(head!.endsWith('\r\n\r\n')).toBe(true);
    expect(get).toMatch(/^HTTP\/1.1 200 OK/);
    expect(get!.endsWith('\r\n\r\nhello world')).toBe(true);
  });

  it('relays 204 and 304 without a body', async () => {
    const r204 = await call('/api/status/204');
    expect(r204.statusCode).toBe(204);
    expect(await r204.body.text()).toBe('');
    const r304 = await call('/api/status/304');
    expect(r304.statusCode).toBe(304);
    expect(r304.headers.etag).toBe('"x"');
    expect(await r304.body.text()).toBe('');
    const [raw, next] = await rawConversation(gw.port, [
      'GET /api/status/204 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /api/head HTTP/1.1\r\nHost: a\r\n\r\n',
    ]);
    expect(raw).toMatch(/^HTTP\/1.1 204 No Content\r\n/);
    expect(raw).not.toMatch(/content-length|transfer-encoding/i);
    expect(next!.endsWith('hello world')).toBe(true);
  });

  it('keeps repeated Set-Cookie response headers and drops hop-by-hop response headers', async () => {
    const res = await call('/api/cookies');
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    // The upstream's Keep-Alive is hop-by-hop: the client sees only the gateway's own idle hint (both engines).
    expect(res.headers['keep-alive']).toBe('timeout=5');
    expect(res.headers.via).toBe('1.1 portcullis/0.1.0');
    expect(await res.body.text()).toBe('cookies');
  });

  it('relays an upstream answer sent before the request body was read, and keeps serving', async () => {
    const res = await call('/api/early', { method: 'POST', body: Buffer.alloc(900 * 1024, 7) });
    expect(res.statusCode).toBe(401);
    expect(await res.body.text()).toBe('refused early');
    expect((await call('/api/after-early')).statusCode).toBe(200);
  });

  it('reads the rest of an upload the upstream answered early, and serves the next request on the same connection', async () => {
    // The upstream answers after the first KiB and closes, so the gateway stops forwarding: the rest is its to read.
    const upload = 900 * 1024;
    const [early, , next] = await rawConversation(gw.port, [
      `POST /api/early-close HTTP/1.1\r\nHost: a\r\nContent-Length: ${upload}\r\n\r\n${'u'.repeat(1024)}`,
      'u'.repeat(upload - 1024),
      'GET /api/chunked HTTP/1.1\r\nHost: a\r\n\r\n',
    ]);
    expect(early).toMatch(/^HTTP\/1.1 401 /);
    expect(early).not.toMatch(/connection: close/i);
    expect(next).toMatch(/^HTTP\/1.1 200 /);
    expect(next).toContain('part2');
  });

  it('streams a chunked upstream response', async () => {
    const res = await call('/api/chunked');
    expect(await res.body.text()).toBe('part1-part2');
  });

  it("returns Kong's 404 body with the request id when no route matches", async () => {
    const res = await call('/nothing-here');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const id = res.headers['x-kong-request-id'] as string;
    expect(await res.body.text()).toBe(`{\n  "message":"no Route matched with those values",\n  "request_id":"${id}"\n}`);
  });

  it('returns 400 for a path that does not normalize', async () => {
    const raw = await rawExchange(gw.port, 'GET /api/%zz HTTP/1.1\r\nHost: a\r\n\r\n', 150);
    expect(raw).toMatch(/^HTTP\/1.1 400 Bad Request/);
    expect(raw.endsWith('{"message":"Bad request"}')).toBe(true);
  });

  it('returns 400 for a repeated Authorization header', async () => {
    const res = await call('/api/x', { headers: ['authorization', 'Bearer a', 'authorization', 'Bearer b'] });
    expect(res.statusCode).toBe(400);
    expect(await res.body.text()).toBe('{"message":"Bad request"}');
  });

  it('returns 413 when content-length exceeds max_body_bytes, without contacting the upstream', async () => {
    const res = await call('/api/big', { method: 'POST', body: Buffer.alloc(1024 * 1024 + 1) });
    expect(res.statusCode).toBe(413);
    expect(await res.body.text()).toBe('{"message":"Payload too large"}');
  });

  it('returns 413 when a chunked body grows past max_body_bytes', async () => {
    async function* big() {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 1);
    }
    const res = await call('/api/big', { method: 'POST', body: Readable.from(big()) }).catch((e: Error) => e);
    if (res instanceof Error) {
      // the connection may be closed while the client still writes; that is the only other acceptable outcome
      expect(res.message).toMatch(/socket|closed|reset|EPIPE/i);
    } else {
      expect(res.statusCode).toBe(413);
      await res.body.text();
    }
  });

  it('accepts a 10 KiB request head that arrives in one read', async () => {
    const ok = await call('/api/big-header', { headers: { 'x-big': 'a'.repeat(10_000) } });
    expect(ok.statusCode).toBe(200);
    expect(((await ok.body.json()) as Echo).headers['x-big']).toHaveLength(10_000);
  });

  it('drops the connection when a head over 4 KiB arrives split across reads (uWS 20.30 limit, env var ignored)', async (ctx) => {
    // The node engine (chosen, or taken where the uWS binary cannot load) reads such heads: node-engine.test.ts.
    if (servedBy(gw) === 'node') ctx.skip();
    // Known limitation of this uWS build: its 4 KiB fallback buffer is fixed; UWS_HTTP_MAX_HEADERS_SIZE is not read.
    // When this starts failing, the binary honours the variable and the limitation note can go.
    const [first, second] = await rawConversation(gw.port, [
      `GET /api/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(3000)}`,
      `${'b'.repeat(3000)}\r\n\r\n`,
    ]);
    expect(first).toBe('');
    expect(second).toBe('');
  });

  it('counts requests and responses', () => {
    const c = gw.plane.counters();
    expect(c.requests).toBeGreaterThan(10);
    expect(c.responses2xx).toBeGreaterThan(5);
    expect(c.responses4xx).toBeGreaterThan(3);
    expect(c.inFlight).toBe(0);
  });
});

describe('data plane shutdown', () => {
  it('lets an in-flight request finish on close, then refuses new connections', async () => {
    let release!: () => void;
    let arrived!: () => void;
    const reached = new Promise<void>((r) => {
      arrived = r;
    });
    const held = await startUpstream((req, res) => {
      req.resume();
      arrived();
      release = () => res.end('finished');
    });
    const plane = await startPlane(simpleDocument(held.url, [{ name: 'r', paths: ['/'] }]));
    try {
      const inFlight = request(`${plane.origin}/slow`, { dispatcher: new Agent() });
      await reached;
      const closing = plane.plane.close(5000);
      release();
      const res = await inFlight;
      expect(res.statusCode).toBe(200);
      expect(res.headers.connection).toBe('close');
      expect(await res.body.text()).toBe('finished');
      await closing;
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect(plane.port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    } finally {
      await held.close();
    }
  });
});

describe('data plane shutdown of idle connections', () => {
  it('closes idle keep-alive client connections when close() finishes', async () => {
    const up = await startUpstream(echoHandler());
    const plane = await startPlane(simpleDocument(up.url, [{ name: 'r', paths: ['/'] }]));
    try {
      const socket = net.connect(plane.port, '127.0.0.1');
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      const answered = new Promise<void>((r) => socket.once('data', () => r()));
      socket.write('GET /idle HTTP/1.1\r\nHost: a\r\n\r\n');
      await answered;
      await plane.close();
      await closed;
      expect(socket.destroyed).toBe(true);
    } finally {
      await up.close();
    }
  });
});

describe('data plane upstream failures', () => {
  it('returns 502 when the upstream port is closed', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const plane = await startPlane(simpleDocument(`http://127.0.0.1:${port}`, [{ name: 'r', paths: ['/'] }]));
    try {
      const res = await request(`${plane.origin}/x`, { dispatcher: client });
      expect(res.statusCode).toBe(502);
      expect(await res.body.text()).toBe('{"message":"An invalid response was received from the upstream server"}');
      expect(plane.plane.counters().upstreamErrors).toBe(1);
    } finally {
      await plane.close();
    }
  });

  it('returns 503 when the route has no service', async () => {
    const plane = await startPlane({
      _format_version: '3.0',
      gateway: { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1 },
      routes: [{ name: 'orphan', paths: ['/o'] }],
    });
    try {
      const res = await request(`${plane.origin}/o`, { dispatcher: client });
      expect(res.statusCode).toBe(503);
      expect(await res.body.text()).toMatch(/"message":"no Service found with those values"/);
    } finally {
      await plane.close();
    }
  });

  it('aborts the upstream request when the client goes away', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((r) => {
      upstreamClosed = r;
    });
    let arrived!: () => void;
    const reached = new Promise<void>((r) => {
      arrived = r;
    });
    const hanging = await startUpstream((_req, res) => {
      res.on('close', () => upstreamClosed());
      arrived();
      res.writeHead(200);
      res.write('first');
    });
    const plane = await startPlane(simpleDocument(hanging.url, [{ name: 'r', paths: ['/'] }]));
    try {
      const socket = net.connect(plane.port, '127.0.0.1');
      socket.write('GET /hang HTTP/1.1\r\nHost: a\r\n\r\n');
      await reached;
      await new Promise<void>((r) => socket.once('data', () => r()));
      socket.destroy();
      await closed;
      expect(plane.plane.counters().inFlight).toBe(0);
    } finally {
      await plane.close();
      await hanging.close();
    }
  });

  it('closes the client connection when the upstream dies mid-body', async () => {
    const dying = await startUpstream((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    const plane = await startPlane(simpleDocument(dying.url, [{ name: 'r', paths: ['/'] }]));
    try {
      const res = await request(`${plane.origin}/die`, { dispatcher: client });
      expect(res.statusCode).toBe(200);
      await expect(res.body.text()).rejects.toThrow();
    } finally {
      await plane.close();
      await dying.close();
    }
  });
});
