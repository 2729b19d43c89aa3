// Reused keep-alive connections are never reset: the idle timeout is advertised and no answer closes the connection.
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
import { KEEP_ALIVE_TIMEOUT_S } from '../../src/server/response-writer.js';

let upstream: Upstream;
let gw: RunningPlane;
const good = makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'k1' }, 'secret');

beforeAll(async () => {
  const echo = echoHandler();
  upstream = await startUpstream((req, res) => {
    if (req.url === '/500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('upstream broke');
      return;
    }
    echo(req, res);
  });
  gw = await startPlane(
    simpleDocument(
      upstream.url,
      [
        { name: 'api', paths: ['/api'], plugins: [{ name: 'jwt' }] },
        { name: 'pub', paths: ['/public'] },
      ],
      { top: { consumers: [{ username: 'u1', jwt_secrets: [{ key: 'k1', secret: 'secret' }] }] } },
    ),
  );
});

afterAll(() => closeInOrder(gw, upstream));

function get(
  agent: http.Agent,
  path: string,
  token: string | null = null,
): Promise<{ status: number; reused: boolean; keepAlive?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    const req = http.get({ agent, host: '127.0.0.1', port: gw.port, path, headers }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode!, reused: req.reusedSocket, keepAlive: res.headers['keep-alive'] as string | undefined }),
      );
    });
    req.on('error', reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('keep-alive reuse', () => {
  it('advertises an idle timeout below uWS idle close on every kind of answer', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const [path, token, status] of [
      ['/public/a', null, 200],
      ['/api/a', null, 401],
      ['/public/500', null, 500],
      ['/nowhere', null, 404],
      ['/api/a', good, 200],
    ] as const) {
      const r = await get(agent, path, token);
      expect(r.status).toBe(status);
      expect(r.keepAlive).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_S}`);
    }
    // Five answers, one connection: none of them closed it.
    expect((await get(agent, '/public/b')).reused).toBe(true);
    agent.destroy();
    expect(KEEP_ALIVE_TIMEOUT_S).toBeLessThan(8);
  });

  it.concurrent('serves a Node client that reuses its connection after idling at many times up to just under the hint', async () => {
    const idles = [0, 50, 500, 1500, 2500, 3500, 3950, 4500, KEEP_ALIVE_TIMEOUT_S * 1000 - 100];
    const runs = idles.map(async (idle) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const first = await get(agent, '/api/x', good);
      await sleep(idle);
      const second = await get(agent, '/api/x', good);
      agent.destroy();
      return { idle, first: first.status, second: second.status };
    });
    for (const r of await Promise.all(runs)) expect(r).toEqual({ idle: r.idle, first: 200, second: 200 });
  }, 20000);

  it.concurrent('serves a raw client that reuses its connection just under the advertised timeout', async () => {
    const socket = net.connect(gw.port, '127.0.0.1');
    let out = '';
    let error: string | null = null;
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    const request = `GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${good}\r\n\r\n`;
    socket.write(request);
    await sleep(KEEP_ALIVE_TIMEOUT_S * 1000 - 100);
    socket.write(request);
    await sleep(300);
    socket.destroy();
    expect(error).toBeNull();
    expect(out.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
  }, 20000);
});
