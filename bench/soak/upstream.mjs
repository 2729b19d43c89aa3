// The soak's fault-injecting upstream: intact bodies with their sha256, resets before headers, cuts mid-body, slow answers, 5xx.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';

/** Two random megabytes that every download is a slice of; its hash travels in `x-body-sha256`. */
const SOURCE = randomBytes(2 * 1024 * 1024);
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

/** Marker a client sets on requests the gateway must refuse: any that arrives here is a violation. */
export const REFUSED_MARKER = 'x-soak-expect-refused';

export async function startFaultyUpstream() {
  const stats = { requests: 0, refusedSeen: 0, resets: 0, cuts: 0, slow: 0, errors5xx: 0 };
  const server = http.createServer((req, res) => {
    stats.requests++;
    if (req.headers[REFUSED_MARKER] !== undefined) stats.refusedSeen++;
    const url = new URL(req.url, 'http://x');
    const size = Math.min(Number(url.searchParams.get('size') ?? 1024), SOURCE.length);
    const offset = Number(url.searchParams.get('offset') ?? 0) % (SOURCE.length - size + 1);
    switch (url.pathname) {
      case '/reset':
        stats.resets++;
        req.socket.resetAndDestroy();
        return;
      case '/500':
        stats.errors5xx++;
        req.resume();
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('upstream failure');
        return;
      case '/cut': {
        stats.cuts++;
        req.resume();
        res.writeHead(200, { 'content-length': size });
        res.write(SOURCE.subarray(offset, offset + (size >> 1)), () => setImmediate(() => res.destroy()));
        return;
      }
      case '/upload': {
        const hash = createHash('sha256');
        let length = 0;
        req.on('data', (c) => {
          hash.update(c);
          length += c.length;
        });
        req.on('end', () => {
          const body = JSON.stringify({ sha256: hash.digest('hex'), length });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        });
        return;
      }
    }
    const body = SOURCE.subarray(offset, offset + size);
    const send = () => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size, 'x-body-sha256': sha256(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    req.resume();
    if (url.pathname === '/slow') {
      stats.slow++;
      setTimeout(send, 100 + Math.floor(Math.random() * 900));
    } else send();
  });
  // Short, so the gateway's upstream connections close soon after the load and fds can return to baseline.
  server.keepAliveTimeout = 2000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  return {
    port: /** @type {import('node:net').AddressInfo} */ (server.address()).port,
    stats,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
