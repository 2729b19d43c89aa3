// HTTP/2 streams on the node engine (core stream API), with node's http2 client against a real upstream: what a client sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http2 from 'node:http2';
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

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  /** Interim (1xx) statuses, in order. */
  interim: number[];
  body: Buffer;
  /** The stream ended with END_STREAM (false: reset or closed early). */
  ended: boolean;
  rstCode: number;
}

function call(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const stream = session.request(headers, { endStream: body === undefined });
    const a: Answer = { status: 0, headers: {}, interim: [], body: Buffer.alloc(0), ended: false, rstCode: 0 };
    const chunks: Buffer[] = [];
    stream.on('headers', (h) => a.interim.push(Number(h[':status'])));
    stream.on('response', (h) => {
      a.status = Number(h[':status']);
      a.headers = h;
    });
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      a.ended = true;
    });
    stream.on('error', () => undefined);
    stream.on('close', () => {
      a.body = Buffer.concat(chunks);
      a.rstCode = stream.rstCode ?? 0;
      resolve(a);
    });
    if (body !== undefined) stream.end(body);
  });
}

let upstream: Upstream;
let h2c: RunningPlane;
let session: http2.ClientHttp2Session;
/** Requests the upstream saw end without a complete response (the gateway aborted them). */
let upstreamAborts = 0;
let upstreamAborted: (() => void) | null = null;

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    const url = req.url ?? '';
    if (url.startsWith('/svc/cookies')) {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('x-multi', ['one', 'two']);
      res.setHeader('via', '1.1 upstream-proxy');
      res.setHeader('content-length', '7');
      res.end(req.method === 'HEAD' ? undefined : 'cookies');
    } else if (url.startsWith('/svc/truncated')) {
      res.setHeader('content-length', '100');
      res.write('only ten b');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (url.startsWith('/svc/big')) {
      res.setHeader('content-type', 'application/octet-stream');
      res.end(Buffer.alloc(1 << 20, 0x61));
    } else if (url.startsWith('/svc/endless')) {
      res.on('close', () => {
        if (!res.writableFinished) {
          upstreamAborts++;
          upstreamAborted?.();
        }
      });
      const tick = setInterval(() => res.write(Buffer.alloc(16_384, 0x62)), 5);
      res.on('close', () => clearInterval(tick));
    } else echo(req, res);
  });
  const routes = [
    { name: 'api', paths: ['/api'] },
    { name: 'jwt', paths: ['/secured'], plugins: [{ name: 'jwt' }] },
    { name: 'cookie-jwt', paths: ['/cookie'], plugins: [{ name: 'jwt', config: { cookie_names: ['session'] } }] },
  ];
  const consumers = [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', secret: 'alice-secret', algorithm: 'HS256' }] }];
  h2c = await startPlane(
    simpleDocument(`${upstream.url}/svc`, routes, {
      gateway: { proxy_listen: '127.0.0.1:0 http2', max_body_bytes: 1000 },
      top: { consumers },
    }),
  );
  session = http2.connect(h2c.origin);
});

afterAll(async () => {
  session?.close();
  await closeInOrder(h2c, upstream);
});

describe('node engine HTTP/2 responses', () => {
  it('relays repeated upstream headers as separate fields, appends Via and adds the request id and Date', async () => {
    const a = await call(session, { ':path': '/api/cookies' });
    expect(a.status).toBe(200);
    expect(a.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(a.headers['x-multi']).toBe('one, two');
    expect(a.headers.via).toMatch(/^1\.1 upstream-proxy, 1\.1 portcullis\/\S+$/);
    expect(a.headers['x-kong-request-id']).toMatch(/\S+/);
    expect(a.headers['content-length']).toBe('7');
    expect(a.headers.date).toMatch(/GMT$/);
    expect(a.headers.connection).toBeUndefined();
    expect(a.body.toString()).toBe('cookies');
  });

  it('sends the per-response request id as a never-indexed field, on proxied responses and gateway answers', async () => {
    // Indexed, every response's unique id would churn both sides' HPACK dynamic tables.
    const neverIndexed = (a: Answer): unknown => (a.headers as Record<symbol, unknown>)[http2.sensitiveHeaders];
    const proxied = await call(session, { ':path': '/api/cookies' });
    const refused = await call(session, { ':path': '/secured/x' });
    expect(refused.status).toBe(401);
    for (const a of [proxied, refused]) {
      expect(neverIndexed(a)).toEqual(['x-kong-request-id']);
      expect(a.headers['x-kong-request-id']).toMatch(/\S+/);
    }
  });

  it('reads a token cookie sent as its own cookie field, as browsers split cookies over HTTP/2', async () => {
    const token = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key' }, 'alice-secret');
    const a = await call(session, { ':path': '/cookie/x', cookie: ['theme=dark', `session=${token}`] });
    expect(a.status).toBe(200);
    const echo = JSON.parse(a.body.toString()) as { rawHeaders: string[] };
    expect(echoedHeader(echo, 'x-consumer-username')).toEqual(['alice']);
  });

  it('joins the cookie fields into one Cookie header for the HTTP/1.1 upstream (RFC 9113 §8.2.3)', async () => {
    const a = await call(session, { ':path': '/api/who', cookie: ['a=1', 'b=2', 'c=3'] });
    const echo = JSON.parse(a.body.toString()) as { rawHeaders: string[] };
    expect(echoedHeader(echo, 'cookie')).toEqual(['a=1; b=2; c=3']);
  });

  it('answers the client address in X-Forwarded-For and the authority as Host upstream', async () => {
    const a = await call(session, { ':path': '/api/who', ':authority': 'h2.example.test' });
    const echo = JSON.parse(a.body.toString()) as { rawHeaders: string[] };
    expect(echoedHeader(echo, 'x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(echoedHeader(echo, 'x-forwarded-host')).toEqual(['h2.example.test']);
  });

  it('delivers a 1 MiB upstream body whole through flow control', async () => {
    const a = await call(session, { ':path': '/api/big' });
    expect(a.status).toBe(200);
    expect(a.ended).toBe(true);
    expect(a.body.length).toBe(1 << 20);
  });

  it('answers HEAD with the headers only, for a proxied response and a gateway answer', async () => {
    const proxied = await call(session, { ':method': 'HEAD', ':path': '/api/cookies' });
    expect(proxied.status).toBe(200);
    expect(proxied.headers['content-length']).toBe('7');
    expect(proxied.body.length).toBe(0);
    expect(proxied.ended).toBe(true);
    const refused = await call(session, { ':method': 'HEAD', ':path': '/nowhere' });
    expect(refused.status).toBe(404);
    expect(refused.body.length).toBe(0);
    expect(refused.ended).toBe(true);
  });

  it('gives gateway answers in the JSON shape: 401 with WWW-Authenticate, 413 for a body over max_body_bytes', async () => {
    const denied = await call(session, { ':path': '/secured/x' });
    expect(denied.status).toBe(401);
    expect(denied.headers['www-authenticate']).toBeDefined();
    expect(denied.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(denied.body.toString())).toHaveProperty('message');
    const big = await call(session, { ':method': 'POST', ':path': '/api/upload' }, Buffer.alloc(5000, 1));
    expect(big.status).toBe(413);
    expect(JSON.parse(big.body.toString())).toEqual({ message: 'Payload too large' });
  });

  it('resets the stream when the upstream ends before its Content-Length, never ending it as complete', async () => {
    const a = await call(session, { ':path': '/api/truncated' });
    expect(a.status).toBe(200);
    expect(a.ended).toBe(false);
    expect(a.rstCode).not.toBe(http2.constants.NGHTTP2_NO_ERROR);
  });

  it('aborts the upstream request when the client resets its stream mid-response', async () => {
    const before = upstreamAborts;
    const aborted = new Promise<void>((resolve) => {
      upstreamAborted = resolve;
    });
    const stream = session.request({ ':path': '/api/endless' });
    stream.on('error', () => undefined);
    await new Promise<void>((resolve) => stream.once('data', () => resolve()));
    stream.close(http2.constants.NGHTTP2_CANCEL);
    await aborted;
    expect(upstreamAborts).toBe(before + 1);
    // The session stays usable.
    expect((await call(session, { ':path': '/api/after' })).status).toBe(200);
  });
});

describe('node engine HTTP/2 requests answered before the pipeline', () => {
  it('sends 100 Continue at once for Expect: 100-continue, then the response', async () => {
    const a = await call(session, { ':method': 'POST', ':path': '/api/expect', expect: '100-continue' }, Buffer.from('hello'));
    expect(a.interim).toContain(100);
    expect(a.status).toBe(200);
    expect((JSON.parse(a.body.toString()) as { length: number }).length).toBe(5);
  });

  it('answers another Expect with 417 and CONNECT with 405, without a body', async () => {
    const expectation = await call(session, { ':path': '/api/x', expect: 'something-else' });
    expect(expectation.status).toBe(417);
    expect(expectation.body.length).toBe(0);
    const connect = await call(session, { ':method': 'CONNECT', ':authority': 'elsewhere.test:443' });
    expect(connect.status).toBe(405);
    expect(connect.body.length).toBe(0);
  });
});
