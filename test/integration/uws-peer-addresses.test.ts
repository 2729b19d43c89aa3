// Client addresses recorded per uWS connection by the addon: the same text as uWS's own, never another connection's, through churn and many peers.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uwsPeerHook } from '../../src/native/uws-peers.js';
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
  let uws: Uws;
  let app: TemplatedApp;
  let port = 0;
  let listenSocket: unknown;
  const seen: Array<{ recorded: string | undefined; uwsText: string }> = [];
  const afterEnd: Array<string | undefined> = [];

  beforeAll(async () => {
    uws = (await loadUws()).uws;
    app = uws.App();
    app.get('/*', (res: HttpResponse) => {
      const recorded = hook!.uwsPeerAddress(res);
      const uwsText = Buffer.from(res.getRemoteAddressAsText()).toString('latin1');
      seen.push({ recorded, uwsText });
      res.end(uwsText);
      afterEnd.push(hook!.uwsPeerAddress(res));
    });
    await new Promise<void>((resolve, reject) =>
      app.listen('127.0.0.1', 0, (socket) => {
        if (socket === false) return reject(new Error('listen failed'));
        listenSocket = socket;
        port = uws.us_socket_local_port(socket);
        resolve();
      }),
    );
  });

  afterAll(() => {
    if (listenSocket) uws.us_listen_socket_close(listenSocket as never);
    closeApp(app);
  });

  it('refuses a listen socket given with another port, then records from the listen socket on', async () => {
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port + 1)).toMatch(/not on the listener's port/);
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port)).toBe('');
    // Watching again changes nothing: the hook is in place already.
    expect(hook!.watchUwsListener(listenSocket as never, uwsBinaryPath()!, port)).toBe('');
  });

  it('gives each connection its own address, the same text as uWS, through churn that reuses freed sockets', async () => {
    // Churn: short connections from many addresses, 8 at a time, so freed sockets' memory is reused by new ones.
    for (let round = 0; round < 20; round++) {
      const batch = sources.slice((round * 8) % sources.length, ((round * 8) % sources.length) + 8);
      const bodies = await Promise.all(batch.map((address) => get(port, '/churn', address)));
      expect(bodies.map((b) => b.body)).toEqual(batch);
    }
    expect(seen.length).toBe(160);
    for (const { recorded, uwsText } of seen) expect(recorded).toBe(uwsText);
    // uWS.js detaches a finished response from its socket: nothing is read through it afterwards.
    expect(new Set(afterEnd)).toEqual(new Set([undefined]));
  });

  it('answers undefined for anything that is not an open uWS response', () => {
    expect(hook!.uwsPeerAddress({} as HttpResponse)).toBeUndefined();
    expect(hook!.uwsPeerAddress(null as unknown as HttpResponse)).toBeUndefined();
    expect(hook!.uwsPeerAddress(42 as unknown as HttpResponse)).toBeUndefined();
    expect(hook!.watchUwsListener({} as never, uwsBinaryPath()!, port)).toMatch(/needs a uWS listen socket/);
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
