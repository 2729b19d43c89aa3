// Open-loop load at a fixed rate over raw keep-alive sockets: requests leave on schedule whether or not earlier ones came back; latency per response from its due time.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import { cpuSeconds } from './cpu.mjs';
import { percentile, runRecord, unexpectedStatuses } from './load.mjs';
import { CONTROL_SLOTS, MAX_QUEUED, nowMs, SENT, SEQ, SLEEP, STOP, WAITING, WRITE_ERRORS } from './open-loop-sender.mjs';

const SENDER = new URL('./open-loop-sender.mjs', import.meta.url);
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
 * Send GET `path` to `url` at `rate` requests per second for `durationS` over up to `connections` keep-alive
 * connections (one request at a time each). Request i is due at i / rate after the start; a sender thread
 * (open-loop-sender.mjs) writes it then on a free connection, or as soon as one frees up, and its latency counts
 * from the due time, so time spent queued for a free connection (a slow server) counts (no coordinated omission).
 * This thread reads the responses. Resolves to { ok, problems, sent, responses, seconds, rps, cpuS, perCpuS, p50, p99,
 * p999, maxQueued, sendLagP99, statuses } with latencies in ms; `sendLagP99` is how late the sender wrote the
 * requests that found a free connection (its own scheduling, part of every latency; null when none did). `pid`'s CPU
 * is read around the run. With `keepSamples`, the record also holds `samples: { due, latency }`: each answered
 * request's due time (ms on nowMs's clock, CLOCK_MONOTONIC) and latency, in answer order (sched-trace.mjs).
 */
export async function runOpenLoop({
  url,
  path,
  rate,
  durationS,
  connections = 64,
  pid,
  expect = 200,
  drainMs = 5000,
  keepSamples = false,
}) {
  const { hostname, port } = new URL(url);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nhost: ${hostname}:${port}\r\n\r\n`);
  const total = Math.max(1, Math.round(rate * durationS));
  const conns = await Promise.all(Array.from({ length: Math.min(connections, total) }, () => connect(Number(port), hostname)));
  const buffers = {
    ctl: new SharedArrayBuffer(CONTROL_SLOTS * 4),
    busy: new SharedArrayBuffer(conns.length * 4),
    due: new SharedArrayBuffer(conns.length * 8),
    lags: new SharedArrayBuffer(total * 8),
  };
  const ctl = new Int32Array(buffers.ctl);
  const busy = new Int32Array(buffers.busy);
  const due = new Float64Array(buffers.due);
  let latencies = new Float64Array(total);
  const dues = keepSamples ? new Float64Array(total) : null;
  let n = 0;
  let errors = 0;
  const statuses = {};

  return new Promise((resolve) => {
    const cpu0 = pid ? cpuSeconds(pid) : null;
    let t0 = nowMs();
    let finished = false;
    let senderProblem = null;
    const worker = new Worker(SENDER, {
      workerData: { fds: conns.map((c) => c.socket._handle.fd), request, rate, total, buffers },
    });
    worker.on('message', (m) => {
      if (m.started) t0 = m.started;
      if (m.done) setTimeout(finish, drainMs).unref();
    });
    worker.on('error', (err) => {
      senderProblem = `sender thread: ${err.message}`;
      finish();
    });

    const onResponse = (conn, status) => {
      if (dues !== null) dues[n] = due[conn.index];
      latencies[n++] = nowMs() - due[conn.index];
      statuses[status] = (statuses[status] ?? 0) + 1;
      Atomics.store(busy, conn.index, 0);
      Atomics.add(ctl, SEQ, 1);
      if (Atomics.load(ctl, WAITING) === 1) Atomics.notify(ctl, SEQ);
      if (n === total) finish();
    };
    conns.forEach((conn, index) => {
      conn.index = index;
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
    });

    function finish() {
      if (finished) return;
      finished = true;
      Atomics.store(ctl, STOP, 1);
      Atomics.notify(ctl, SLEEP);
      Atomics.notify(ctl, SEQ);
      const seconds = (nowMs() - t0) / 1000;
      const cpu1 = pid ? cpuSeconds(pid) : null;
      void worker.terminate();
      for (const c of conns) c.socket.destroy();
      const samples = dues === null ? undefined : { due: dues.subarray(0, n), latency: latencies.slice(0, n) };
      const sorted = latencies.subarray(0, n).sort();
      latencies = null;
      const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      const problems = [];
      const unexpected = unexpectedStatuses(Object.entries(statuses).filter(([code]) => Number(code) !== expect));
      if (unexpected) problems.push(unexpected);
      if (senderProblem) problems.push(senderProblem);
      const sent = Atomics.load(ctl, SENT);
      errors += Atomics.load(ctl, WRITE_ERRORS);
      if (errors) problems.push(`${errors} connection errors`);
      if (n < total) problems.push(`${total - n} of ${total} requests unanswered`);
      resolve(
        runRecord({
          problems,
          sent,
          responses: n,
          seconds,
          cpuS,
          sorted,
          maxQueued: Atomics.load(ctl, MAX_QUEUED),
          sendLagP99: percentile(new Float64Array(buffers.lags, 0, sent).filter(Number.isFinite).sort(), 0.99),
          statuses,
          ...(samples === undefined ? {} : { samples }),
        }),
      );
    }
  });
}

/** A connected keep-alive socket (Nagle off) with its read buffer. */
function connect(port, host) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve({ socket, buf: Buffer.alloc(0), index: 0 });
    });
  });
}
