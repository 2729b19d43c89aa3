// Client addresses recorded per uWS connection by the addon, plain HTTP and TLS: the same text as uWS's own, never another connection's, through churn and many peers.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UwsPeerAddresses, uwsPeerHook } from '../../src/native/uws-peers.js';
import { createUwsServer, type UwsServer } from '../../src/server/app.js';
import { createTestCa, type TestCa } from '../helpers/tls-certs.js';
import { freePort } from '../helpers/gateway-process.js';
import { loadUws, uwsBinaryAvailable, uwsBinaryPath, type HttpResponse, type TemplatedApp, type Uws } from '../../src/server/uws-loader.js';
import {
  closeInOrder,
  echoedHeader,
  echoHandler,
  SERVING_ENGINE,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const hook = uwsPeerHook();
const canHook = hook !== null && uwsBinaryAvailable();

/** Source addresses a test client binds: Linux routes all of 127.0.0.0/8 to the loopback. */
const sources = Array.from({ length: 24 }, (_, i) => `127.0.${1 + (i >> 3)}.${10 + (i & 7)}`);

/** Closes every connection of a bare App (App.close() exists at runtime in 20.30 but is missing from its typings). */
function closeApp(app: TemplatedApp): void {
  (app as unknown as { close(): void }).close();
}

type Seen = Array<{ recorded: string | undefined; uwsText: string }>;

/** A handler that answers uWS's text of the peer address and keeps it beside the recorded one (and what a finished response reads). */
function recordingHandler(seen: Seen, afterEnd: Array<string | undefined>): (res: HttpResponse) => void {
  return (res) => {
    const recorded = hook!.uwsPeerAddress(res);
    const uwsText = Buffer.from(res.getRemoteAddressAsText()).toString('latin1');
    seen.push({ recorded, uwsText });
    res.end(uwsText);
    afterEnd.push(hook!.uwsPeerAddress(res));
  };
}

/** A bare uWS app answering with recordingHandler, listening on a free loopback port. */
interface RecordingApp {
  uws: Uws;
  app: TemplatedApp;
  listenSocket: unknown;
  port: number;
  seen: Seen;
  afterEnd: Array<string | undefined>;
}

/**
 * For the describe it is called in: the app `make` builds (given uWS and the recording handler to route) listens
 * before its tests and is closed after them.
 */
function recordingApp(make: (uws: Uws, handler: (res: HttpResponse) => void) => TemplatedApp): RecordingApp {
  const fixture = { listenSocket: undefined, port: 0, seen: [], afterEnd: [] } as unknown as RecordingApp;
  beforeAll(async () => {
    fixture.uws = (await loadUws()).uws;
    fixture.app = make(fixture.uws, recordingHandler(fixture.seen, fixture.afterEnd));
    await new Promise<void>((resolve, reject) =>
      fixture.app.listen('127.0.0.1', 0, (socket) => {
        if (socket === false) return reject(new Error('listen failed'));
        fixture.listenSocket = socket;
        fixture.port = fixture.uws.us_socket_local_port(socket);
        resolve();
      }),
    );
  });
  afterAll(() => {
    if (fixture.listenSocket) fixture.uws.us_listen_socket_close(fixture.listenSocket as never);
    if (fixture.app) closeApp(fixture.app);
  });
  return fixture;
}

/** Every request `fixture` answered read the same text from the recording as from uWS, and nothing after it ended. */
function expectRecordedAsUws(fixture: RecordingApp, requests: number): void {
  expect(fixture.seen.length).toBe(requests);
  for (const { recorded, uwsText } of fixture.seen) expect(recorded).toBe(uwsText);
  // uWS.js detaches a finished response from its socket: nothing is read through it afterwards.
  expect(new Set(fixture.afterEnd)).toEqual(new Set([undefined]));
}

/** One GET from `localAddress` on a fresh connection (or `agent`'s); the response body as text. */
function get(
  port: number,
  path: string,
  localAddress: string,
  agent: http.Agent | false = false,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, localAddress, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

describe.skipIf(!canHook)('the addon on a bare uWS App', () => {
  const bare = recordingApp((uws, handler) => uws.App().get('/*', handler));

  it('refuses a listen socket given with another port, then records from the listen socket on', async () => {
    const { listenSocket, port } = bare;
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port + 1, false)).toMatch(/not on the listener's port/);
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port, false)).toBe('');
    // Watching again changes nothing: the hook is in place already.
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port, false)).toBe('');
  });

  it('gives each connection its own address, the same text as uWS, through churn that reuses freed sockets', async () => {
    // Churn: short connections from many addresses, 8 at a time, so freed sockets' memory is reused by new ones.
    for (let round = 0; round < 20; round++) {
      const batch = sources.slice((round * 8) % sources.length, ((round * 8) % sources.length) + 8);
      const bodies = await Promise.all(batch.map((address) => get(bare.port, '/churn', address)));
      expect(bodies.map((b) => b.body)).toEqual(batch);
    }
    expectRecordedAsUws(bare, 160);
  });

  it('answers undefined for anything that is not an open uWS response', () => {
    expect(hook!.uwsPeerAddress({} as HttpResponse)).toBeUndefined();
    expect(hook!.uwsPeerAddress(null as unknown as HttpResponse)).toBeUndefined();
    expect(hook!.uwsPeerAddress(42 as unknown as HttpResponse)).toBeUndefined();
    expect(hook!.watchUwsListener({} as never, uwsBinaryPath()!, bare.port, false)).toMatch(/needs a uWS listen socket/);
  });
});

/** One HTTPS GET from `localAddress` on a fresh connection, with `servername` as SNI; the response body as text. */
function getTls(port: number, path: string, localAddress: string, servername: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path, localAddress, servername, agent: false, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
  });
}

/** A TCP connection from `localAddress` that sends a few bytes that are no TLS handshake and is closed: opened and closed in uWS. */
function abandonedHandshake(port: number, localAddress: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write('\x16\x03');
      setTimeout(() => socket.destroy(), 5);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => undefined);
  });
}

describe.skipIf(!canHook)('the addon on a bare uWS SSLApp', () => {
  let ca: TestCa | undefined;
  afterAll(() => ca?.cleanup());
  const bare = recordingApp((uws, handler) => {
    ca = createTestCa();
    const cert = ca.leaf('peer-cert', ['tls.test']);
    const named = ca.leaf('named-cert', ['named.test'], 'ec');
    const app = uws.SSLApp({ key_file_name: cert.keyFile, cert_file_name: cert.certFile }).get('/*', handler);
    // A name's certificate comes with its own router in uWS (as the gateway's SNI listeners have): one route there too.
    app.addServerName('named.test', { key_file_name: named.keyFile, cert_file_name: named.certFile });
    app.domain('named.test').get('/*', handler);
    return app;
  });

  it('hooks the listen socket of a TLS app, once', () => {
    expect(hook!.watchUwsListener(bare.listenSocket as never, uwsBinaryPath()!, bare.port, true)).toBe('');
    expect(hook!.watchUwsListener(bare.listenSocket as never, uwsBinaryPath()!, bare.port, true)).toBe('');
  });

  it('gives each TLS connection its own address, either certificate, through churn and handshakes never finished', async () => {
    for (let round = 0; round < 15; round++) {
      const batch = sources.slice((round * 8) % sources.length, ((round * 8) % sources.length) + 8);
      const [bodies] = await Promise.all([
        Promise.all(batch.map((address, i) => getTls(bare.port, '/churn', address, i % 2 ? 'named.test' : 'tls.test'))),
        // Connections from other addresses that open and close without a handshake, their sockets freed for reuse.
        Promise.all(batch.slice(0, 4).map((_, i) => abandonedHandshake(bare.port, `127.0.9.${10 + i}`))),
      ]);
      expect(bodies).toEqual(batch);
    }
    expectRecordedAsUws(bare, 120);
  });
});

describe.skipIf(!canHook)("a TLS listener's recording across new certificates", () => {
  let ca: TestCa;
  let server: UwsServer;
  let port = 0;
  const recorded: Array<string | undefined> = [];
  const warnings: string[] = [];

  beforeAll(async () => {
    ca = createTestCa();
    const uws = (await loadUws()).uws;
    const files = (cn: string) => {
      const cert = ca.leaf(cn, ['tls.test']);
      return { defaultFiles: { key_file_name: cert.keyFile, cert_file_name: cert.certFile }, names: [], routeBySni: false };
    };
    const peers = new UwsPeerAddresses(hook!, uwsBinaryPath()!, true, (why) => warnings.push(why));
    const handler = (res: HttpResponse): void => {
      recorded.push(peers.addressOf(res));
      res.end('ok');
    };
    const first = files('first-cert');
    server = createUwsServer(uws, handler, { files: first, handlerFor: () => handler }, (socket, bound) => peers.watch(socket, bound));
    // uSockets shares a port (SO_REUSEPORT) only when the first listen named it, as the gateway's listeners do.
    port = await server.listen('127.0.0.1', await freePort());
    await getTls(port, '/before', sources[0]!, 'tls.test');
    await server.replaceTls(files('second-cert'));
  });

  afterAll(() => {
    server?.closeAll();
    ca?.cleanup();
  });

  it("records the connections the new certificates' app accepts, as the first app's", async () => {
    for (const address of sources.slice(1, 5)) expect(await getTls(port, '/after', address, 'tls.test')).toBe('ok');
    expect(recorded).toEqual(sources.slice(0, 5));
    expect(warnings).toEqual([]);
  });
});

/** The prototype uWS.js gives every plain-HTTP response object (one template per thread), from one request to a throwaway App. */
async function uwsResponsePrototype(uws: Uws): Promise<{ getRemoteAddressAsText(): ArrayBuffer }> {
  const app = uws.App();
  let proto: { getRemoteAddressAsText(): ArrayBuffer } | null = null;
  app.get('/*', (res: HttpResponse) => {
    proto = Object.getPrototypeOf(res) as typeof proto;
    res.end();
  });
  const socket = await new Promise<unknown>((resolve) => app.listen('127.0.0.1', 0, resolve));
  await get(uws.us_socket_local_port(socket as never), '/', '127.0.0.1');
  uws.us_listen_socket_close(socket as never);
  closeApp(app);
  return proto!;
}

describe.skipIf(!canHook || SERVING_ENGINE !== 'uws')('X-Real-IP from recorded addresses through the gateway', () => {
  let upstream: Upstream;
  let gw: RunningPlane;
  let proto: { getRemoteAddressAsText(): ArrayBuffer };
  let askedUws = 0;
  let original: () => ArrayBuffer;

  beforeAll(async () => {
    proto = await uwsResponsePrototype((await loadUws()).uws);
    original = proto.getRemoteAddressAsText;
    // Counts the gateway's per-request reads (each a getpeername); uWS.js's own native method does the work.
    proto.getRemoteAddressAsText = function (this: unknown) {
      askedUws++;
      return original.call(this);
    };
    upstream = await startUpstream(echoHandler());
    gw = await startPlane(simpleDocument(`${upstream.url}/svc`, [{ name: 'api', paths: ['/api'] }]));
  });
  afterAll(async () => {
    if (original) proto.getRemoteAddressAsText = original;
    await closeInOrder(gw, upstream);
  });

  async function realIp(localAddress: string, agent: http.Agent | false): Promise<string[]> {
    const { status, body } = await get(gw.port, '/api/ip', localAddress, agent);
    expect(status).toBe(200);
    const echo = JSON.parse(body) as { rawHeaders: string[] };
    return [...echoedHeader(echo, 'x-real-ip'), ...echoedHeader(echo, 'x-forwarded-for')];
  }

  it('gives every request its own client’s address: keep-alive clients interleaved with short connections from other addresses', async () => {
    const keepAlive = sources.slice(0, 8).map((address) => ({ address, agent: new http.Agent({ keepAlive: true, maxSockets: 2 }) }));
    try {
      for (let round = 0; round < 15; round++) {
        const checks = [
          ...keepAlive.map(async ({ address, agent }) => expect(await realIp(address, agent)).toEqual([address, address])),
          ...sources.slice(8).map(async (address) => expect(await realIp(address, false)).toEqual([address, address])),
        ];
        await Promise.all(checks);
      }
      // 360 proxied requests, and uWS was never asked: every connection's address was recorded at accept.
      expect(askedUws).toBe(0);
    } finally {
      for (const { agent } of keepAlive) agent.destroy();
    }
  });

  it('asks uWS for every request when PORTCULLIS_PEER_ADDRESS_CACHE=off', async () => {
    process.env.PORTCULLIS_PEER_ADDRESS_CACHE = 'off';
    let off: RunningPlane | undefined;
    try {
      off = await startPlane(simpleDocument(`${upstream.url}/svc`, [{ name: 'api', paths: ['/api'] }]));
      askedUws = 0;
      for (const address of sources.slice(0, 4)) {
        const { body } = await get(off.port, '/api/ip', address);
        expect(echoedHeader(JSON.parse(body) as { rawHeaders: string[] }, 'x-real-ip')).toEqual([address]);
      }
      expect(askedUws).toBe(4);
    } finally {
      delete process.env.PORTCULLIS_PEER_ADDRESS_CACHE;
      await off?.close();
    }
  });
});
