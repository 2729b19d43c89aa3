// A real node:http upstream on an ephemeral 127.0.0.1 port, for every harness that needs one.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Upstream {
  readonly port: number;
  readonly url: string;
  readonly server: http.Server;
  close(): Promise<void>;
}

export async function startUpstream(handler: http.RequestListener): Promise<Upstream> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
