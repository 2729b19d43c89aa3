// Open-loop load at a fixed rate over raw keep-alive sockets: requests leave on schedule whether or not earlier ones came back; latency per response.
import net from 'node:net';
import { cpuSeconds } from './cpu.mjs';
import { runRecord, unexpectedStatuses } from './load.mjs';

const TICK_MS = 1;
const HEAD_END = Buffer.from('\r\n\r\n');
const CHUNKED_END = Buffer.from('0\r\n\r\n');

/**
 * Length of the first complete HTTP/1.1 response in `buf` and its status, or null while incomplete.
 * Bodies are framed by Content-Length or (for the gateway's streamed relays) chunked encoding.
 */
export function parseResponse(buf) {
  const headEnd = buf.indexOf(HEAD_END);
  if (headEnd < 0) return null;
  const head = buf.toString('latin1', 0, headEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headEnd + 4;
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const end = bodyStart + Number(length[1]);
    return buf.length >= end ? { status, length: end } : null;
  }
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) {
    // Our bodies never contain the terminator, so its first occurrence ends the response.
    const term = buf.indexOf(CHUNKED_END, bodyStart);
    return term < 0 ? null : { status, length: term + CHUNKED_END.length };
  }
  return { status, length: bodyStart };
}

/**
 * Send GET `path` to `url` at `rate` requests per second for `durationS` over up to
 * `connections` keep-alive connections (one request at a time each). Every TICK_MS the requests
 * that fell due are started; each response's latency counts from the tick that made its request
 * due, so time spent queued for a free connection (a slow server) counts and the loader's own
 * timer jitter does not. Resolves to { ok, problems, sent, responses, seconds, rps, cpuS, perCpuS,
 * p50, p99, p999, maxQueued, statuses } with latencies in ms; `pid`'s CPU is read around the run.
 */
export function runOpenLoop({ url, path, rate, durationS, connections = 64, pid, expect = 200, drainMs = 5000 }) {
  const { hostname, port } = new URL(url);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n\r\n`);
  const total = Math.max(1, Math.round(rate * durationS));
  let latencies = new Float64Array(total);
  let n = 0;
  let sent = 0;
  let maxQueued = 0;
  let errors = 0;
  const statuses = {};
  const queue = [];
  const idle = [];
  const sockets = [];

  return new Promise((resolve) => {
    const cpu0 = pid ? cpuSeconds(pid) : null;
    const t0 = performance.now();
    let ticker = null;
    let finished = false;

    const send = (conn, start) => {
      conn.start = start;
      conn.socket.write(request);
    };
    const onResponse = (conn, status) => {
      const now = performance.now();
      latencies[n++] = now - conn.start;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (queue.length > 0) send(conn, queue.shift());
      else idle.push(conn);
      if (n === total) finish();
    };
    const open = () => {
      const conn = { socket: net.connect(Number(port), hostname), buf: Buffer.alloc(0), start: 0 };
      conn.socket.setNoDelay(true);
      conn.socket.on('data', (chunk) => {
        conn.buf = conn.buf.length === 0 ? chunk : Buffer.concat([conn.buf, chunk]);
        for (let r = parseResponse(conn.buf); r !== null; r = parseResponse(conn.buf)) {
          conn.buf = conn.buf.subarray(r.length);
          onResponse(conn, r.status);
        }
      });
      conn.socket.on('error', () => {
        errors++;
      });
      sockets.push(conn.socket);
      return conn;
    };
    for (let i = 0; i < connections; i++) idle.push(open());

    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate));
      while (sent < due) {
        sent++;
        const conn = idle.pop();
        if (conn) send(conn, now);
        else queue.push(now);
      }
      if (queue.length > maxQueued) maxQueued = queue.length;
      if (sent === total) {
        clearInterval(ticker);
        setTimeout(finish, drainMs).unref();
      }
    };
    ticker = setInterval(tick, TICK_MS);

    function finish() {
      if (finished) return;
      finished = true;
      clearInterval(ticker);
      const seconds = (performance.now() - t0) / 1000;
      const cpu1 = pid ? cpuSeconds(pid) : null;
      for (const s of sockets) s.destroy();
      const sorted = latencies.subarray(0, n).sort();
      latencies = null;
      const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      const problems = [];
      const unexpected = unexpectedStatuses(Object.entries(statuses).filter(([code]) => Number(code) !== expect));
      if (unexpected) problems.push(unexpected);
      if (errors) problems.push(`${errors} connection errors`);
      if (n < total) problems.push(`${total - n} of ${total} requests unanswered`);
      resolve(runRecord({ problems, sent, responses: n, seconds, cpuS, sorted, maxQueued, statuses }));
    }
  });
}
