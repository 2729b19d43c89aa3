// A raw TCP upstream on an ephemeral 127.0.0.1 port that answers each HTTP/1.1 request head with whatever bytes a test scripts.
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface RawUpstream {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * Calls `answer(socket, head, n)` for every request head received (bodies are not expected; `n` counts the server's
 * requests from 0, `head` is the head without its blank line, as latin1), so a test controls the exact response bytes,
 * how they are split into writes, and when the connection closes.
 */
export async function startRawUpstream(answer: (socket: Socket, head: string, n: number) => void | Promise<void>): Promise<RawUpstream> {
  const sockets = new Set<Socket>();
  let connections = 0;
  let requests = 0;
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      let end: number;
      while ((end = pending.indexOf('\r\n\r\n')) !== -1) {
        const head = pending.slice(0, end);
        pending = pending.slice(end + 4);
        void answer(socket, head, requests++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
