// One autocannon run against one system: every response's status checked, latency percentiles, CPU of the target pid.
import autocannon from 'autocannon';
import { cpuSeconds } from './cpu.mjs';

/** Value at quantile q (0..1) of an ascending-sorted array (nearest rank). */
export function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(q * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** The problem line for [status, count] pairs a run did not expect, or null when there are none. */
export function unexpectedStatuses(pairs) {
  return pairs.length ? `unexpected statuses: ${pairs.map(([c, k]) => `${c}×${k}`).join(', ')}` : null;
}

/**
 * The record every loader resolves to: ok when `problems` is empty, rates per second and per CPU-second
 * of the measured pid, latency percentiles from `sorted` (ascending, ms) unless `latency` gives them.
 */
export function runRecord({ problems, responses, seconds, cpuS, sorted, latency, statuses, ...extra }) {
  return {
    ok: problems.length === 0,
    problems,
    responses,
    seconds,
    rps: responses / seconds,
    cpuS,
    perCpuS: cpuS ? responses / cpuS : null,
    ...(latency ?? { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), p999: percentile(sorted, 0.999) }),
    ...extra,
    statuses,
  };
}

/**
 * autocannon request options for a scenario. Several tokens are rotated without per-request work: each
 * connection gets its own share of them (connection k of `connections`: tokens k, k + C, k + 2C, …) as a
 * list of requests that autocannon encodes once and then cycles (entries without setupRequest are never
 * rebuilt), so every token is sent and the loader spends no more per request than with one token.
 */
export function requestOptions(scenario, tokens, uploadBody, connections = 1) {
  const base = { method: scenario.method ?? 'GET' };
  const headers = {};
  if (scenario.bodyBytes) headers['content-type'] = 'application/octet-stream';
  if (!tokens || tokens.length === 0) return { ...base, headers, body: scenario.bodyBytes ? uploadBody : undefined };
  if (tokens.length === 1) return { ...base, headers: { ...headers, authorization: `Bearer ${tokens[0]}` } };
  const shares = Math.max(1, Math.min(connections, tokens.length));
  let nextClient = 0;
  return {
    ...base,
    // Called once per connection (reconnects keep their requests); autocannon encodes the share here.
    setupClient(client) {
      const k = nextClient++ % shares;
      const requests = [];
      for (let i = k; i < tokens.length; i += shares) {
        requests.push({ ...base, headers: { ...headers, authorization: `Bearer ${tokens[i]}` } });
      }
      client.setRequests(requests);
    },
  };
}

/**
 * Run autocannon for `durationS` seconds (or `amount` requests, at most `maxS` seconds) and check every response.
 * `url` is the system's origin; `pid` is the system under test, whose CPU seconds are read before and after.
 * Resolves to { ok, problems[], responses, seconds, rps, cpuS, perCpuS, p50, p99, p999, statuses }.
 */
export function runLoad({ url, scenario, tokens, uploadBody, durationS, amount, maxS, connections, pid }) {
  const clients = scenario.connections ?? connections;
  const opts = {
    // autocannon takes the request path from the URL (a top-level `path` is ignored).
    url: `${url}${scenario.path}`,
    connections: clients,
    pipelining: 1,
    timeout: 10,
    ...requestOptions(scenario, tokens, uploadBody, clients),
  };
  if (amount) opts.amount = amount;
  else opts.duration = durationS;

  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const statuses = {};
  return new Promise((resolve, reject) => {
    let cpu0 = null;
    let t0 = 0n;
    // autocannon builds its connections (and their requests) synchronously, then emits 'start' and starts its
    // duration timer: the window is measured from there, so building 10,000 tokens' requests is not in it.
    const begin = () => {
      cpu0 = pid ? cpuSeconds(pid) : null;
      t0 = process.hrtime.bigint();
    };
    begin(); // a run that fails before 'start' is still timed
    const instance = autocannon(opts, (err, result) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu1 = pid ? cpuSeconds(pid) : null;
      if (err) {
        reject(err);
        return;
      }
      const sorted = latencies.subarray(0, n).sort();
      const cpuS = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
      const problems = [];
      const unexpected = unexpectedStatuses(Object.entries(statuses).filter(([code]) => Number(code) !== scenario.expect));
      if (unexpected) problems.push(unexpected);
      if (result.errors) problems.push(`${result.errors} connection errors`);
      if (result.timeouts) problems.push(`${result.timeouts} timeouts`);
      if (n === 0) problems.push('no responses');
      resolve(runRecord({ problems, responses: n, seconds, cpuS, sorted, statuses }));
    });
    instance.once('start', begin);
    // `amount` runs can be capped in time too (warm-ups on a slow or busy machine).
    if (amount && maxS) {
      const cap = setTimeout(() => instance.stop(), maxS * 1000);
      instance.once('done', () => clearTimeout(cap));
    }
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (n === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[n++] = responseTime;
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}
