// The bundled demo upstream: a tiny node:http "hello" JSON API that echoes method, path and the X-Consumer-* headers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DemoUpstream {
  readonly port: number;
  close(): Promise<void>;
}

const ECHOED_PREFIXES = ['x-consumer-', 'x-credential-', 'x-anonymous-', 'x-forwarded-', 'x-kong-request-id'];

export function startDemoUpstream(host: string, port: number): Promise<DemoUpstream> {
  const server = http.createServer((req, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && ECHOED_PREFIXES.some((p) => name.startsWith(p))) headers[name] = value;
    }
    const body = `${JSON.stringify({ message: 'hello from the demo upstream', method: req.method, path: req.url, headers }, null, 2)}\n`;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
