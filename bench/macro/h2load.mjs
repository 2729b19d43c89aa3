// One h2load run (HTTP/2, h2c prior knowledge) against one system, in the result shape of load.mjs's runLoad.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds } from './cpu.mjs';
import { runRecord, unexpectedStatuses } from './load.mjs';

/**
 * Concurrent streams per connection. HTTP/2 is used multiplexed (a browser opens one connection per origin and sends
 * its requests on it as streams; a gRPC channel does the same), so the row keeps the HTTP/1.1 rows' requests in flight
 * (`--connections`, 64: autocannon keeps one request per connection) and spreads them over connections of 8 streams:
 * 8 connections × 8 streams. `--h2-streams 1` gives HTTP/1.1's shape (64 × 1), `--h2-streams 64` one connection.
 */
export const DEFAULT_STREAMS = 8;

/** The h2load shape that keeps `inFlight` requests in flight with `streams` streams per connection. */
export function h2Shape(inFlight, streams) {
  const perConnection = Math.max(1, Math.min(streams, inFlight));
  return { connections: Math.max(1, Math.round(inFlight / perConnection)), streams: perConnection };
}

/** "8 connections × 8 streams", for the row label. */
export function h2ShapeText({ connections, streams }) {
  return `${connections} connection${connections === 1 ? '' : 's'} × ${streams} stream${streams === 1 ? '' : 's'}`;
}

/**
 * h2load's own warm-up inside a timed run (connections opened, first requests sent). In timing mode h2load counts
 * only requests started after it, and drops what is in flight when the duration ends; without it, a cold or busy
 * gateway that had not answered the first wave by the end of a short run read as "0 done" (FAILED: no responses).
 * CPU and time are measured from its end, so the counted requests and the CPU they cost cover the same window.
 */
const WARM_UP_S = 1;

/** null when h2load runs here, else why not (the bench then skips the HTTP/2 system). */
export function h2loadMissing() {
  const probe = spawnSync('h2load', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? null : 'h2load not found (Debian: apt-get install nghttp2-client); node HTTP/2 system skipped';
}

/** The h2load summary lines → counts; null fields when a line is missing. */
export function parseH2load(text) {
  const num = (re) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : null;
  };
  const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(text);
  return {
    done: num(/requests: \d+ total, \d+ started, (\d+) done/),
    failed: num(/(\d+) failed/),
    errored: num(/(\d+) errored/),
    timeout: num(/(\d+) timeout/),
    statusClasses: codes ? { '2xx': Number(codes[1]), '3xx': Number(codes[2]), '4xx': Number(codes[3]), '5xx': Number(codes[4]) } : null,
    meanUs: (() => {
      const m = /time for request:\s+(\S+)\s+(\S+)\s+(\S+)/.exec(text);
      if (!m) return null;
      const v = m[3];
      const n = parseFloat(v);
      return v.endsWith('ms') ? n * 1000 : v.endsWith('us') ? n : n * 1e6;
    })(),
  };
}

/** Same options and result as runLoad; one token (h2load sends one header set), uploads from a temp file. */
export function runH2load({ url, scenario, tokens, uploadBody, durationS, amount, maxS, connections, pid, streams = DEFAULT_STREAMS }) {
  // Uploads: one stream per connection, as autocannon does (1 MiB × many streams would not finish in a short run).
  const inFlight = scenario.connections ?? connections;
  const shape = scenario.bodyBytes ? { connections: inFlight, streams: 1 } : h2Shape(inFlight, streams);
  const args = ['-c', String(shape.connections), '-m', String(shape.streams)];
  // h2load takes whole seconds for -D.
  if (amount) args.push('-n', String(amount));
  else args.push('-D', String(Math.max(1, Math.round(durationS))), `--warm-up-time=${WARM_UP_S}`);
  if (tokens?.length) args.push('-H', `authorization: Bearer ${tokens[0]}`);
  let bodyFile = null;
  if (scenario.bodyBytes) {
    bodyFile = path.join(os.tmpdir(), `portcullis-h2load-${process.pid}.bin`);
    fs.writeFileSync(bodyFile, uploadBody);
    args.push('-d', bodyFile, '-H', 'content-type: application/octet-stream');
  }
  args.push(`${url}${scenario.path}`);
  return new Promise((resolve) => {
    let cpu0 = pid ? cpuSeconds(pid) : null;
    let t0 = process.hrtime.bigint();
    const timeoutMs = ((amount ? (maxS ?? 30) : durationS + WARM_UP_S) + 15) * 1000;
    // Timed runs: the measured window starts when h2load's warm-up ends.
    const warm = amount
      ? null
      : setTimeout(() => {
          cpu0 = pid ? cpuSeconds(pid) : null;
          t0 = process.hrtime.bigint();
        }, WARM_UP_S * 1000);
    execFile('h2load', args, { timeout: timeoutMs, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (warm) clearTimeout(warm);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu1 = pid ? cpuSeconds(pid) : null;
      if (bodyFile) fs.rmSync(bodyFile, { force: true });
      const r = parseH2load(stdout ?? '');
      const problems = [];
      if (err && !stdout) problems.push(`h2load failed: ${(stderr || err.message).trim().split('\n')[0]}`);
      const expectClass = `${String(scenario.expect)[0]}xx`;
      const classes = r.statusClasses ?? {};
      const unexpected = unexpectedStatuses(Object.entries(classes).filter(([c, k]) => k > 0 && c !== expectClass));
      if (unexpected) problems.push(unexpected);
      if (r.errored) problems.push(`${r.errored} errored`);
      if (r.timeout) problems.push(`${r.timeout} timeouts`);
      const n = r.done ?? 0;
      if (n === 0) problems.push('no responses');
      const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      const meanMs = r.meanUs === null ? null : r.meanUs / 1000;
      resolve(
        runRecord({
          problems,
          responses: n,
          seconds,
          cpuS,
          // h2load reports no percentiles: the mean stands in for p50, p99/p99.9 stay empty.
          latency: { p50: meanMs, p99: null, p999: null },
          statuses: Object.fromEntries(Object.entries(classes).filter(([, k]) => k > 0)),
        }),
      );
    });
  });
}
