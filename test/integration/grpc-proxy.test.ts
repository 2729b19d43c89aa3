// gRPC pass-through with real @grpc/grpc-js servers and clients: h2c and TLS listeners, grpc and grpcs upstreams, streaming both ways, Kong's gRPC answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import http from 'node:http';
import http2 from 'node:http2';
import { join } from 'node:path';
import { startUpstream as startHttpUpstream, type Upstream } from '../helpers/http-upstream.js';
import { closeInOrder, startPlane, type RunningPlane } from '../helpers/data-plane-harness.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { createTestCa, type TestCa, type TestCert } from '../helpers/tls-certs.js';
import { makeToken } from '../helpers/tokens.js';

const SECRET = 'grpc-test-secret-0123456789abcdef';
const KEY = 'grpc-issuer';
const token = (secret = SECRET): string =>
  makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: KEY, exp: Math.floor(Date.now() / 1000) + 600 }, secret);

const raw = (b: Buffer): Buffer => b;
const method = (path: string, requestStream: boolean, responseStream: boolean) => ({
  path,
  requestStream,
  responseStream,
  requestSerialize: raw,
  requestDeserialize: raw,
  responseSerialize: raw,
  responseDeserialize: raw,
});
/** A service with raw Buffer messages: no .proto needed. */
const ECHO = {
  unary: method('/test.Echo/Unary', false, false),
  fail: method('/test.Echo/Fail', false, false),
  serverStream: method('/test.Echo/ServerStream', false, true),
  clientStream: method('/test.Echo/ClientStream', true, false),
  bidi: method('/test.Echo/Bidi', true, true),
  endless: method('/test.Echo/Endless', false, true),
};
const EchoClient = grpc.makeGenericClientConstructor(ECHO, 'Echo');
type Rpc = (...args: unknown[]) => unknown;
/** The generic client's methods, by the names of the services below. */
type Client = grpc.Client & Record<'unary' | 'fail' | 'serverStream' | 'clientStream' | 'bidi' | 'endless' | 'call', Rpc>;

const STREAM_MESSAGES = 200;
/** Calls the upstream saw cancelled (the client went away through the gateway). */
let upstreamCancels = 0;
const STREAM_MESSAGE_BYTES = 64 * 1024;

function echoImplementation(): grpc.UntypedServiceImplementation {
  return {
    unary(call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) {
      const who = call.metadata.get('x-consumer-username')[0] ?? '-';
      cb(null, Buffer.concat([Buffer.from(`${who}:`), call.request]));
    },
    fail(_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) {
      const trailer = new grpc.Metadata();
      trailer.set('x-detail', 'shelf 7');
      trailer.set('grpc-status-details-bin', Buffer.from([1, 2, 3]));
      cb({ code: grpc.status.NOT_FOUND, details: 'no such book: café', metadata: trailer });
    },
    serverStream(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      let i = 0;
      const next = (): void => {
        while (i < STREAM_MESSAGES) {
          const ok = call.write(Buffer.alloc(STREAM_MESSAGE_BYTES, i++ % 256));
          if (!ok) {
            call.once('drain', next);
            return;
          }
        }
        call.end();
      };
      next();
    },
    bidi(call: grpc.ServerDuplexStream<Buffer, Buffer>) {
      call.on('data', (m: Buffer) => call.write(Buffer.concat([Buffer.from('re:'), m])));
      call.on('end', () => call.end());
    },
    endless(call: grpc.ServerWritableStream<Buffer, Buffer>) {
      const tick = setInterval(() => call.write(Buffer.from('tick')), 5);
      call.on('cancelled', () => {
        clearInterval(tick);
        upstreamCancels++;
      });
    },
    clientStream(call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) {
      let count = 0;
      let bytes = 0;
      call.on('data', (m: Buffer) => {
        count++;
        bytes += m.length;
      });
      call.on('end', () => cb(null, Buffer.from(`${count}/${bytes}`)));
    },
  };
}

async function startGrpcServer(cert: TestCert | null): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(ECHO, echoImplementation());
  const creds =
    cert === null
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(cert.cert), private_key: Buffer.from(cert.key) }]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p))),
  );
  return { server, port };
}

function call<T>(client: Client, name: 'unary' | 'fail', body: string, metadata = new grpc.Metadata()): Promise<T> {
  return new Promise((resolve, reject) => {
    client[name](Buffer.from(body), metadata, (err: grpc.ServiceError | null, reply: T) => (err ? reject(err) : resolve(reply)));
  });
}

/** The status a gRPC client reports for a call that fails. */
async function failure(p: Promise<unknown>): Promise<{ code: number; details: string; trailers: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as grpc.ServiceError;
    return { code: e.code, details: e.details, trailers: e.metadata.getMap() };
  }
  throw new Error('expected the call to fail');
}

function bearer(value = token()): grpc.Metadata {
  const m = new grpc.Metadata();
  m.set('authorization', `Bearer ${value}`);
  return m;
}

let ca: TestCa;
let gwCert: TestCert;
let plain: { server: grpc.Server; port: number };
let secure: { server: grpc.Server; port: number };
let web: Upstream;
let gw: RunningPlane;
let h2cClient: Client;
let tlsClient: Client;
const clients: Client[] = [];

function client(port: number, tls = false): Client {
  const creds = tls ? grpc.credentials.createSsl(Buffer.from(ca.caPem)) : grpc.credentials.createInsecure();
  const options = tls ? { 'grpc.ssl_target_name_override': 'grpc.test', 'grpc.default_authority': 'grpc.test' } : {};
  const c = new EchoClient(`127.0.0.1:${port}`, creds, options) as unknown as Client;
  clients.push(c);
  return c;
}

/** One plain HTTP/2 request on `session`: its status and body. */
function h2Exchange(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const s = session.request(headers);
    let text = '';
    let status = 0;
    s.on('response', (h) => (status = Number(h[':status'])));
    s.on('data', (c: Buffer) => (text += c.toString()));
    s.on('end', () => resolve({ status, body: text }));
    s.on('error', reject);
    s.end(body);
  });
}

/** A unary call to any `path` on the gateway's h2c listener, without a token. */
function callPath(path: string): Promise<unknown> {
  const Any = grpc.makeGenericClientConstructor({ call: method(path, false, false) }, 'Any');
  const c = new Any(`127.0.0.1:${gw.plane.ports[0]}`, grpc.credentials.createInsecure()) as unknown as Client;
  clients.push(c);
  return new Promise((resolve, reject) => c.call(Buffer.from('x'), (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))));
}

function gatewayDocument(grpcUrl: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0 http2, 127.0.0.1:0 http2 ssl', admin_listen: 'off', workers: 1, ...extra },
    services: [
      {
        name: 'echo',
        url: grpcUrl,
        routes: [
          { name: 'echo', protocols: ['grpc', 'grpcs'], paths: ['/test.Echo/'], plugins: [{ name: 'jwt' }] },
          { name: 'tls-only', protocols: ['grpcs'], paths: ['/test.Secure/'] },
        ],
      },
      { name: 'down', url: 'grpc://127.0.0.1:1', routes: [{ name: 'down', protocols: ['grpc'], paths: ['/test.Down/'] }] },
      {
        name: 'web',
        url: `${web.url}/web`,
        routes: [
          { name: 'web', paths: ['/web'] },
          { name: 'https-only', protocols: ['https'], paths: ['/test.Https/'] },
        ],
      },
    ],
    consumers: [{ username: 'reader', jwt_secrets: [{ key: KEY, secret: SECRET }] }],
  };
}

beforeAll(async () => {
  ca = createTestCa();
  gwCert = ca.leaf('gateway', ['grpc.test']);
  plain = await startGrpcServer(null);
  secure = await startGrpcServer(ca.leaf('upstream', ['localhost']));
  web = await startHttpUpstream((_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('plain web');
  });
  gw = await startPlane(gatewayDocument(`grpc://127.0.0.1:${plain.port}`, { ssl_cert: gwCert.certFile, ssl_cert_key: gwCert.keyFile }));
  h2cClient = client(gw.plane.ports[0]!);
  tlsClient = client(gw.plane.ports[1]!, true);
}, 30_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await closeInOrder(gw, web);
  plain?.server.forceShutdown();
  secure?.server.forceShutdown();
  ca?.cleanup();
});

describe('gRPC pass-through', () => {
  it('relays a unary call with a JWT over the h2c and the TLS listener, with the consumer headers upstream', async () => {
    expect((await call<Buffer>(h2cClient, 'unary', 'ping', bearer())).toString()).toBe('reader:ping');
    expect((await call<Buffer>(tlsClient, 'unary', 'pong', bearer())).toString()).toBe('reader:pong');
  });

  it('relays an upstream error status exactly: code, percent-encoded message, and every trailer', async () => {
    const f = await failure(call(h2cClient, 'fail', 'x', bearer()));
    expect(f.code).toBe(grpc.status.NOT_FOUND);
    expect(f.details).toBe('no such book: café');
    expect(f.trailers['x-detail']).toBe('shelf 7');
    expect(f.trailers['grpc-status-details-bin']).toEqual(Buffer.from([1, 2, 3]));
  });

  it('streams a server-streaming reply of 200 × 64 KiB messages, and a client stream of 100 messages', async () => {
    const received = await new Promise<{ count: number; bytes: number }>((resolve, reject) => {
      const stream = h2cClient.serverStream(Buffer.from('go'), bearer()) as grpc.ClientReadableStream<Buffer>;
      let count = 0;
      let bytes = 0;
      stream.on('data', (m: Buffer) => {
        count++;
        bytes += m.length;
      });
      stream.on('error', reject);
      stream.on('end', () => resolve({ count, bytes }));
    });
    expect(received).toEqual({ count: STREAM_MESSAGES, bytes: STREAM_MESSAGES * STREAM_MESSAGE_BYTES });

    const summary = await new Promise<string>((resolve, reject) => {
      const stream = tlsClient.clientStream(bearer(), (err: grpc.ServiceError | null, reply: Buffer) =>
        err ? reject(err) : resolve(reply.toString()),
      ) as grpc.ClientWritableStream<Buffer>;
      for (let i = 0; i < 100; i++) stream.write(Buffer.alloc(10_000, i));
      stream.end();
    });
    expect(summary).toBe(`100/${100 * 10_000}`);
  });

  it('relays a bidirectional stream message by message, and a client cancel reaches the upstream', async () => {
    const replies = await new Promise<string[]>((resolve, reject) => {
      const stream = h2cClient.bidi(bearer()) as grpc.ClientDuplexStream<Buffer, Buffer>;
      const got: string[] = [];
      stream.on('data', (m: Buffer) => {
        got.push(m.toString());
        // Each reply is awaited before the next message goes out: nothing is buffered whole on the way.
        if (got.length < 20) stream.write(Buffer.from(`m${got.length}`));
        else stream.end();
      });
      stream.on('error', reject);
      stream.on('end', () => resolve(got));
      stream.write(Buffer.from('m0'));
    });
    expect(replies).toEqual(Array.from({ length: 20 }, (_, i) => `re:m${i}`));

    const before = upstreamCancels;
    const stream = tlsClient.endless(Buffer.from('go'), bearer()) as grpc.ClientReadableStream<Buffer>;
    stream.on('error', () => undefined);
    await new Promise((resolve) => stream.once('data', resolve));
    stream.cancel();
    await expect.poll(() => upstreamCancels, { timeout: 5000 }).toBe(before + 1);
  });

  it("answers refused tokens with Kong's gRPC status: UNAUTHENTICATED and the jwt plugin's message", async () => {
    const missing = await failure(call(h2cClient, 'unary', 'x'));
    expect([missing.code, missing.details]).toEqual([grpc.status.UNAUTHENTICATED, 'Unauthorized']);
    const bad = await failure(call(tlsClient, 'unary', 'x', bearer(token('another-secret-0123456789abcdef'))));
    expect([bad.code, bad.details]).toEqual([grpc.status.UNAUTHENTICATED, 'Invalid signature']);
  });

  it("answers no route, a down upstream, grpcs-only and https-only routes over h2c with Kong's gRPC statuses", async () => {
    const noRoute = await failure(callPath('/test.Unknown/Nope'));
    expect([noRoute.code, noRoute.details]).toEqual([grpc.status.NOT_FOUND, 'NotFound']);
    const refused = await failure(callPath('/test.Down/Call'));
    expect([refused.code, refused.details]).toEqual([grpc.status.INTERNAL, 'An invalid response was received from the upstream server']);
    const plainOnTls = await failure(callPath('/test.Secure/Call'));
    expect([plainOnTls.code, plainOnTls.details]).toEqual([grpc.status.CANCELLED, 'gRPC request matched gRPCs route']);
    // An https-only HTTP route asked over h2c: Kong's 426 in gRPC form.
    const https = await failure(callPath('/test.Https/Call'));
    expect([https.code, https.details]).toEqual([grpc.status.INVALID_ARGUMENT, 'InvalidArgument']);
  });

  it("answers a gRPC request over HTTP/1.1 with Kong's 426 and a non-gRPC request on a gRPC route with 415", async () => {
    const h1 = await startPlane(gatewayDocument(`grpc://127.0.0.1:${plain.port}`, { proxy_listen: '127.0.0.1:0', http_engine: 'node' }));
    try {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({
          port: h1.port,
          host: '127.0.0.1',
          method: 'POST',
          path: '/test.Echo/Unary',
          headers: { 'content-type': 'application/grpc' },
        });
        req.on('response', (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer.status).toBe(426);
      expect(JSON.parse(answer.body).message).toBe('Please use HTTP2 protocol');
    } finally {
      await h1.close();
    }

    const session = http2.connect(`http://127.0.0.1:${gw.plane.ports[0]}`);
    try {
      const head = await h2Exchange(session, { ':method': 'POST', ':path': '/test.Echo/Unary', 'content-type': 'application/json' }, '{}');
      expect(head.status).toBe(415);
      expect(JSON.parse(head.body).message).toBe('Non-gRPC request matched gRPC route');

      // Non-gRPC traffic on the same listener is unchanged.
      const webAnswer = await h2Exchange(session, { ':path': '/web/x' });
      expect(webAnswer).toEqual({ status: 200, body: 'plain web' });
    } finally {
      session.close();
    }
  });
});

describe('gRPC to a grpcs upstream (gateway process)', () => {
  let proc: GatewayProcess | null = null;
  afterAll(async () => {
    proc?.child.kill('SIGTERM');
    await proc?.exited;
  });

  it('verifies the upstream certificate against a CA added with NODE_EXTRA_CA_CERTS and relays the call', async () => {
    const doc = gatewayDocument(`grpcs://localhost:${secure.port}`, { proxy_listen: '127.0.0.1:0 http2' });
    const path = writeConfig(join(tempDir(), 'grpcs.json'), doc);
    proc = startGatewayProcess(['--config', path], { NODE_EXTRA_CA_CERTS: ca.caFile, PORTCULLIS_ADMIN_TOKEN: '' });
    const started = await proc.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    const port = Number(String(started.proxyListen).split(':').at(-1));
    const c = client(port);
    expect((await call<Buffer>(c, 'unary', 'over tls', bearer())).toString()).toBe('reader:over tls');
  }, 30_000);
});
