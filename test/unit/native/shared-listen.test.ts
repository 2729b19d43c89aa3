import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { canListenSharedPort, listenSharedPort } from '../../../src/native/shared-listen.js';

const servers: net.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function serveOn(options: net.ListenOptions | { fd: number }): Promise<net.Server> {
  const server = net.createServer((socket) => socket.end('hi'));
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => resolve(server));
  });
}

function readFrom(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8').on('data', (d) => (text += d));
    socket.on('end', () => resolve(text)).on('error', reject);
  });
}

describe.runIf(canListenSharedPort)('shared listen sockets (addon, SO_REUSEPORT)', () => {
  it('lets two node:net servers listen on one port and both answer', async () => {
    const first = await serveOn({ fd: listenSharedPort('127.0.0.1', 0, null) });
    const port = (first.address() as AddressInfo).port;
    const second = await serveOn({ fd: listenSharedPort('127.0.0.1', port, 64) });
    expect((second.address() as AddressInfo).port).toBe(port);
    expect(await readFrom(port)).toBe('hi');
  });

  it("throws node:net's EADDRINUSE when a socket without SO_REUSEPORT holds the port", async () => {
    const holder = await serveOn({ host: '127.0.0.1', port: 0 });
    const port = (holder.address() as AddressInfo).port;
    expect(() => listenSharedPort('127.0.0.1', port, null)).toThrow(
      expect.objectContaining({ code: 'EADDRINUSE', syscall: 'listen', port, message: `listen EADDRINUSE: 127.0.0.1:${port}` }),
    );
  });

  it('takes only IP literals (node-engine listeners resolve host names first)', () => {
    expect(() => listenSharedPort('localhost', 0, null)).toThrow(/cannot open a shared socket on localhost:0/);
  });
});
