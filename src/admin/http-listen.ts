// Listen and close for the main thread's node:http listeners (admin, status): bound port on listen, idle connections closed on close.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Resolves with the bound port (port 0 = ephemeral); rejects when the address cannot be bound. */
export function listenHttp(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** Stops accepting, closes idle keep-alive connections, and resolves once the last request finished. */
export function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
