// One wrk run (HTTP/1.1, C, one thread) against one system, in the result shape of load.mjs's runLoad.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cpuSeconds } from './cpu.mjs';
import { runLoad, runRecord } from './load.mjs';

/** null when wrk runs here, else why not (the bench then drives HTTP/1.1 with autocannon). */
export function wrkMissing() {
  const probe = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  // wrk prints its version and usage, and exits 1, for --version.
  return /wrk \S+/.test(`${probe.stdout}${probe.stderr}`) ? null : 'wrk not found (Debian: apt-get install wrk)';
}

/**
 * The Lua script of a run. Every request is built once at start (wrk.format), so each one costs wrk a table read:
 * with several tokens the requests rotate through them in order, so each token is sent in turn. `done` prints one
 * line the bench parses: responses, wrk's errors, and the latency percentiles in µs.
 */
export function wrkScript({ method, tokensFile, bodyFile, contentType }) {
  return `-- written by bench/macro/wrk.mjs for one run
wrk.method = ${JSON.stringify(method)}
${bodyFile ? `local f = assert(io.open(${JSON.stringify(bodyFile)}, "rb"))\nwrk.body = f:read("*a")\nf:close()` : ''}
${contentType ? `wrk.headers["Content-Type"] = ${JSON.stringify(contentType)}` : ''}
-- wrk reads which functions exist before init() runs, so the requests are built here, at load time.
wrk.headers["Host"] = wrk.port and (wrk.host .. ":" .. wrk.port) or wrk.host
${
  tokensFile
    ? `local requests = {}
local count = 0
local turn = 0
for token in io.lines(${JSON.stringify(tokensFile)}) do
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  headers["Authorization"] = "Bearer " .. token
  count = count + 1
  requests[count] = wrk.format(nil, nil, headers)
end
function request()
  turn = turn % count + 1
  return requests[turn]
end`
    : ''
}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK-RESULT %d %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9)))
end
`;
}

/** The WRK-RESULT line → counts (latencies in ms), or null when wrk printed none. */
export function parseWrk(text) {
  const m = /WRK-RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)/.exec(text);
  if (!m) return null;
  const [requests, durationUs, connect, read, write, status, timeout, p50, p99, p999] = m.slice(1).map(Number);
  return { requests, durationUs, errors: { connect, read, write, status, timeout }, p50: p50 / 1000, p99: p99 / 1000, p999: p999 / 1000 };
}

/**
 * Same options and result as runLoad, for timed runs (`durationS`; a run of `amount` requests is autocannon's, see
 * load.mjs). wrk counts only statuses of 400 and above ("status errors"): a row expecting 2xx must have none, a refusal
 * row nothing else; each cell's preflight checked the exact status and body.
 */
export function runWrk({ url, scenario, tokens, uploadBody, durationS, connections, pid }) {
  const clients = scenario.connections ?? connections;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-wrk-'));
  const tokensFile = tokens?.length ? path.join(dir, 'tokens') : null;
  if (tokensFile) fs.writeFileSync(tokensFile, `${tokens.join('\n')}\n`);
  const bodyFile = scenario.bodyBytes ? path.join(dir, 'body') : null;
  if (bodyFile) fs.writeFileSync(bodyFile, uploadBody);
  const script = path.join(dir, 'run.lua');
  fs.writeFileSync(
    script,
    wrkScript({ method: scenario.method ?? 'GET', tokensFile, bodyFile, contentType: bodyFile ? 'application/octet-stream' : null }),
  );
  // wrk's -d takes whole seconds; SIGINT ends a run early and wrk still reports it, so windows can be 1.5 s.
  const args = ['-t1', `-c${clients}`, `-d${Math.ceil(durationS) + 30}s`, '--timeout', '10s', '-s', script, `${url}${scenario.path}`];
  return new Promise((resolve) => {
    const cpu0 = pid ? cpuSeconds(pid) : null;
    const t0 = process.hrtime.bigint();
    const child = execFile('wrk', args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      clearTimeout(stop);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu1 = pid ? cpuSeconds(pid) : null;
      fs.rmSync(dir, { recursive: true, force: true });
      const r = parseWrk(stdout ?? '');
      const problems = [];
      if (r === null) {
        problems.push(`wrk failed: ${(stderr || err?.message || stdout || 'no result line').trim().split('\n')[0]}`);
        resolve(runRecord({ problems, responses: 0, seconds, cpuS: null, sorted: [], statuses: {} }));
        return;
      }
      const refusal = scenario.expect >= 400;
      const unexpected = refusal ? r.requests - r.errors.status : r.errors.status;
      if (unexpected > 0) problems.push(`unexpected statuses: ${unexpected} ${refusal ? 'under 400' : '400 or above'}`);
      const { connect, read, write, timeout } = r.errors;
      if (connect + read + write > 0) problems.push(`${connect + read + write} connection errors`);
      if (timeout) problems.push(`${timeout} timeouts`);
      if (r.requests === 0) problems.push('no responses');
      const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      const statusClass = `${String(scenario.expect)[0]}xx`;
      resolve(
        runRecord({
          problems,
          responses: r.requests,
          seconds,
          cpuS,
          latency: { p50: r.p50, p99: r.p99, p999: r.p999 },
          statuses: { [statusClass]: r.requests - unexpected },
        }),
      );
    });
    const stop = setTimeout(() => child.kill('SIGINT'), durationS * 1000);
  });
}

/** The HTTP/1.1 load of a `loader` (session.mjs's LOADERS): wrk's timed runs, autocannon's runs of a request count. */
export function http1Load(loader) {
  if (loader !== 'wrk') return runLoad;
  /** @type {typeof runLoad} */
  return (o) => (o.amount ? runLoad(o) : runWrk(o));
}
