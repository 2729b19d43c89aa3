// New certificates on a uWS TLS listener: the connections its old listen socket had queued are served, not reset, and the addon reads that queue.
import https from 'node:https';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listenQueueReader } from '../../src/native/listen-queue.js';
import { createUwsServer, type UwsServer, type UwsTlsFiles } from '../../src/server/app.js';
import { loadUws, uwsBinaryAvailable, type HttpResponse, type TemplatedApp, type Uws } from '../../src/server/uws-loader.js';
import { createTestCa, type TestCa, type TestCert } from '../helpers/tls-certs.js';
import { certificateCn } from '../helpers/tls-clients.js';
import { freePort } from '../helpers/gateway-process.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** Blocks this thread (and so the uWS loop on it) while the kernel completes the TCP handshakes of started connects. */
function blockFor(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** Resolves once the connects started so far have been made: net defers an IP address's connect() by one tick. */
const connectsMade = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

let uws: Uws;
let ca: TestCa;
let first: TestCert;
let second: TestCert;
beforeAll(async () => {
  uws = (await loadUws()).uws;
  ca = createTestCa();
  first = ca.leaf('first-cert', ['rotation.test']);
  second = ca.leaf('second-cert', ['rotation.test']);
});
afterAll(() => ca?.cleanup());

const filesOf = (cert: TestCert): UwsTlsFiles => ({
  defaultFiles: { cert_file_name: cert.certFile, key_file_name: cert.keyFile },
  names: [],
  routeBySni: false,
});

const answer = (res: HttpResponse): void => {
  res.end('ok');
};

let server: UwsServer | null = null;
afterEach(() => {
  server?.closeAll();
  server = null;
});

/** One HTTPS GET on a new connection: its status, or the error's code. */
function getTls(port: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', agent: false, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/**
 * `n` HTTPS requests on new connections whose TCP handshakes complete into the listen queue while this thread (the
 * uWS loop) is blocked, so that nothing has accepted them yet when the caller goes on.
 */
async function queuedWhileBlocked(port: number, n: number): Promise<Array<Promise<number | string>>> {
  const requests = Array.from({ length: n }, () => getTls(port));
  await connectsMade();
  blockFor(50);
  return requests;
}

describe.skipIf(!uwsBinaryAvailable())('a uWS TLS listener taken over by new certificates', () => {
  it('serves every connection that waited in the old listen socket, then hands out the new certificate', async () => {
    server = createUwsServer(uws, answer, { files: filesOf(first), handlerFor: () => answer });
    // A fixed port: the kernel does not let another socket join one bound to port 0.
    const port = await server.listen('127.0.0.1', await freePort());
    // Sixteen connections reach the old socket's queue while the loop is busy, then the change starts on that same
    // turn: as when a reload runs under load. Closing the old socket before a poll phase accepts them resets them all.
    const requests = await queuedWhileBlocked(port, 16);
    const rotated = server.replaceTls(filesOf(second));
    expect(await Promise.all(requests)).toEqual(Array(16).fill(200));
    await rotated;
    expect(await certificateCn(port, 'rotation.test')).toBe('second-cert');
  });
});

describe.skipIf(!uwsBinaryAvailable())('back-to-back certificate changes on a uWS TLS listener', () => {
  it("serves what each old socket queued when the next change comes before the last one's socket closed", async () => {
    server = createUwsServer(uws, answer, { files: filesOf(first), handlerFor: () => answer });
    const port = await server.listen('127.0.0.1', await freePort());
    const early = await queuedWhileBlocked(port, 8);
    const firstChange = server.replaceTls(filesOf(second));
    // The first change has its new socket listening and waits for the old one's queue; more connections arrive (the
    // kernel spreads them over both sockets) while the loop is busy, and the second change starts on that same turn.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    const late = await queuedWhileBlocked(port, 8);
    const secondChange = server.replaceTls(filesOf(first));
    expect(await Promise.all([...early, ...late])).toEqual(Array(16).fill(200));
    await Promise.all([firstChange, secondChange]);
    expect(await certificateCn(port, 'rotation.test')).toBe('first-cert');
  });
});

describe.skipIf(!uwsBinaryAvailable() || listenQueueReader() === null)("the addon's reading of a uWS listen socket's queue", () => {
  let app: TemplatedApp | null = null;
  let listenSocket: unknown = null;
  afterEach(() => {
    if (listenSocket) uws.us_listen_socket_close(listenSocket as never);
    (app as unknown as { close(): void } | null)?.close();
    app = null;
    listenSocket = null;
  });

  it('counts the connections waiting to be accepted, and none once the loop has accepted them', async () => {
    const read = listenQueueReader()!;
    app = uws.App().get('/*', answer);
    const port = await new Promise<number>((resolve, reject) =>
      app!.listen('127.0.0.1', 0, (socket) => {
        if (socket === false) return reject(new Error('listen failed'));
        listenSocket = socket;
        resolve(uws.us_socket_local_port(socket));
      }),
    );
    expect(read(listenSocket as never)).toBe(0);
    const sockets = Array.from({ length: 5 }, () => net.connect({ host: '127.0.0.1', port }).on('error', () => undefined));
    await connectsMade();
    blockFor(50);
    expect(read(listenSocket as never)).toBe(5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(read(listenSocket as never)).toBe(0);
    for (const socket of sockets) socket.destroy();
  });

  it('answers -1 for anything that is not a uWS listen socket', () => {
    const read = listenQueueReader()!;
    expect(read({} as never)).toBe(-1);
    expect(read(42 as never)).toBe(-1);
    expect(read(null as never)).toBe(-1);
  });
});
