// The drain on both engines: stop accepting, answer idle keep-alive connections with `Connection: close` in the head, finish in-flight requests.
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gatewayConfig, startTestGateway, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { startUpstream, type Upstream } from '../helpers/http-upstream.js';
import type { GatewayHandle } from '../../src/gateway.js';

interface Answer {
  status: number;
  connection: string | undefined;
  reusedSocket: boolean;
  body: string;
}

function request(port: number, path: string, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          connection: res.headers.connection,
          reusedSocket: req.reusedSocket,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** Resolves once a new connection to the port is refused (the listener stopped accepting). */
async function refused(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const code = await new Promise<string | null>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(null);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    if (code === 'ECONNREFUSED') return;
    if (Date.now() > deadline) throw new Error('the listener still accepts connections');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['uws', 'node'] as const)('drain on the %s engine', (engine) => {
  let gateway: GatewayHandle | null = null;
  let upstream: Upstream | null = null;
  const agents: http.Agent[] = [];
  afterEach(async () => {
    await gateway?.stop();
    await upstream?.close();
    for (const a of agents) a.destroy();
  });

  it('stops accepting, answers idle keep-alive connections with Connection: close in the head, and finishes the held request', async () => {
    let releaseHeld: (() => void) | null = null;
    let heldArrived: () => void = () => {};
    const held = new Promise<void>((r) => {
      heldArrived = r;
    });
    upstream = await startUpstream((req, res) => {
      req.resume();
      if (req.url?.includes('/hold')) {
        releaseHeld = () => res.writeHead(200, { 'content-length': '4' }).end('held');
        heldArrived();
      } else if (req.url?.includes('/chunked')) {
        // No Content-Length: the gateway streams it chunked, and ends it only after the head went out.
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('part1,');
        setTimeout(() => res.end('part2'), 10);
      } else {
        res.writeHead(200, { 'content-length': '5' }).end('plain');
      }
    });
    const configPath = writeConfig(
      join(tempDir(), 'kong.json'),
      gatewayConfig(upstream.port, ['/api'], { http_engine: engine, admin_listen: 'off', drain_timeout_ms: 5000 }),
    );
    gateway = (await startTestGateway(configPath)).gateway;
    const port = gateway.proxyPort;
    const chunkedAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(chunkedAgent, plainAgent);

    // Two keep-alive connections, left idle before the drain.
    expect(await request(port, '/api/chunked', chunkedAgent)).toMatchObject({ status: 200, body: 'part1,part2' });
    expect(await request(port, '/api/plain', plainAgent)).toMatchObject({ status: 200, body: 'plain' });
    const inFlight = request(port, '/api/hold', new http.Agent({ keepAlive: false }));
    await held;

    const stopping = gateway.stop();
    await refused(port);

    // The idle connections still get answers, told to reconnect in a header the client parses (not in the body).
    expect(await request(port, '/api/chunked', chunkedAgent)).toEqual({
      status: 200,
      connection: 'close',
      reusedSocket: true,
      body: 'part1,part2',
    });
    expect(await request(port, '/api/plain', plainAgent)).toEqual({ status: 200, connection: 'close', reusedSocket: true, body: 'plain' });

    releaseHeld!();
    expect(await inFlight).toMatchObject({ status: 200, body: 'held' });
    await stopping;
    gateway = null;
  });
});
