// The bench's fast upstream (uWebSockets.js): small fixed body, 64 KiB body on paths ending /big, drains uploads.
// WORK_NS adds busy work per request. Started as its own process; prints {"port":N} once listening; exits when stdin closes (runner gone).
import uWS from 'uWebSockets.js';
import { serveUntilStopped } from './serve-uws.mjs';

const SMALL = Buffer.from('{"ok":true}\n');
const BIG = Buffer.alloc(64 * 1024, 0x61);

const app = uWS.App();
/** WORK_NS: busy work before each answer, in ns of wall time (bench/work-cost.mjs); 0 answers at once. */
const WORK_NS = BigInt(process.env.WORK_NS ?? 0);

function work() {
  const until = process.hrtime.bigint() + WORK_NS;
  while (process.hrtime.bigint() < until);
}

function readBody(res) {
  let aborted = false;
  let received = 0;
  res.onAborted(() => {
    aborted = true;
  });
  res.onData((chunk, isLast) => {
    received += chunk.byteLength;
    if (isLast && !aborted) {
      res.cork(() => {
        res.writeHeader('content-type', 'application/json').end(`{"received":${received}}\n`);
      });
    }
  });
}

app.any('/*', (res, req) => {
  const method = req.getMethod().toLowerCase();
  if (method === 'post' || method === 'put') {
    readBody(res);
    return;
  }
  if (WORK_NS > 0n) work();
  const body = req.getUrl().endsWith('/big') ? BIG : SMALL;
  res.cork(() => {
    res.writeHeader('content-type', body === BIG ? 'application/octet-stream' : 'application/json').end(body);
  });
});

serveUntilStopped(app, { name: 'upstream', port: Number(process.env.PORT ?? 0) });
