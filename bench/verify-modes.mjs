// Gateway-level bench of gateway.asymmetric_verify: passthrough vs RS256 one token vs RS256 10k tokens, per mode, with the workers' event-loop delay (needs `npm run build:ts`).
//
// Usage: node bench/verify-modes.mjs [--duration 5] [--connections 64] [--modes inline,libuv,pool] [--workers 1] [--no-pin]
// Reuses bench/macro (upstream, tokens, autocannon load, CPU sampling). The gateway runs with the admin API on, and
// /status is polled every second during each run: `loopDelayP99Us` / `loopDelayMaxUs` are the workers' event-loop
// delay (monitorEventLoopDelay) over each window; the table shows the worst window of the run.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allowedCpus, hasTaskset, planCpus } from './macro/cpu.mjs';
import autocannon from 'autocannon';
import { requestOptions, runLoad } from './macro/load.mjs';
import { installExitHooks, pinSelf, startProcess, startServer, stopProcess, freePort, sleep } from './macro/procs.mjs';
import { SCENARIOS, buildTokenSets } from './macro/scenarios.mjs';
import { createCredentials } from './macro/tokens.mjs';
import { gatewayConfig, waitForStatus } from './macro/systems.mjs';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '64' },
    modes: { type: 'string', default: 'inline,libuv,pool' },
    workers: { type: 'string', default: '1' },
    'no-pin': { type: 'boolean' },
    rate: { type: 'string', default: '0' },
    scenarios: { type: 'string', default: 'passthrough,rs256-one,rs256-10k,rs256-10k-nocache' },
  },
});
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const WORKERS = Number(values.workers);
// --rate N: also run rs256-10k-nocache at a fixed N req/s (below saturation), where loop delay shows blocking, not queueing.
const RATE = Number(values.rate);

installExitHooks();
const plan = planCpus(allowedCpus(), { hasTaskset: hasTaskset(), disabled: values['no-pin'] });
if (plan.pinned) await pinSelf(plan.load);
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-verify-modes-'));
const creds = createCredentials();
const tokens = buildTokenSets(creds);
// `rs256-10k-nocache`: the 10k tokens with gateway.token_cache disabled, so every request verifies a signature.
const scenarios = values.scenarios.split(',').map((id) => {
  const nocache = id.endsWith('-nocache');
  const sc = SCENARIOS.find((s) => s.id === id.replace(/-nocache$/, ''));
  if (!sc) throw new Error(`unknown scenario ${id}`);
  return { ...sc, id, nocache };
});
const env = { UWS_HTTP_MAX_HEADERS_SIZE: '16384' };

const upstream = await startServer({
  name: 'upstream',
  argv: [process.execPath, path.join(REPO, 'bench/macro/upstream.mjs')],
  cpus: plan.upstream,
  env,
  logPath: path.join(workDir, 'upstream.log'),
});

async function startGatewayInMode(mode, cache = true) {
  const port = await freePort();
  const adminPort = await freePort();
  const cfg = gatewayConfig({ port, upstreamPort: upstream.port, creds });
  cfg.gateway = { ...cfg.gateway, admin_listen: `127.0.0.1:${adminPort}`, workers: WORKERS, asymmetric_verify: mode };
  if (!cache) cfg.gateway.token_cache = { enabled: false };
  const configPath = path.join(workDir, `gateway-${mode}-${cache ? 'cache' : 'nocache'}.json`);
  fs.writeFileSync(configPath, JSON.stringify(cfg));
  const child = startProcess({
    name: `gateway-${mode}`,
    argv: [process.execPath, 'dist/cli.js', '--config', configPath],
    cpus: plan.sut,
    env,
    logPath: path.join(workDir, `gateway-${mode}.log`),
    cwd: REPO,
  });
  if (!(await waitForStatus(`http://127.0.0.1:${port}/open/`, 200, 20_000)))
    throw new Error(`gateway (${mode}) did not start; see ${workDir}`);
  return { child, url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${adminPort}` };
}

/** Polls /status while `promise` runs; returns the worst loop-delay window seen. */
async function watchLoop(admin, promise) {
  let done = false;
  let p99 = 0;
  let max = 0;
  const poller = (async () => {
    while (!done) {
      try {
        const s = await (await fetch(`${admin}/status`, { signal: AbortSignal.timeout(2000) })).json();
        p99 = Math.max(p99, s.counters.loopDelayP99Us ?? 0);
        max = Math.max(max, s.counters.loopDelayMaxUs ?? 0);
      } catch {
        /* keep polling */
      }
      await sleep(1000);
    }
  })();
  const result = await promise;
  done = true;
  await poller;
  return { result, p99Ms: p99 / 1000, maxMs: max / 1000 };
}

const rows = [];
for (const mode of values.modes.split(',')) {
  const gw = await startGatewayInMode(mode);
  const cold = scenarios.some((s) => s.nocache) ? await startGatewayInMode(mode, false) : null;
  for (const sc of scenarios) {
    const target = sc.nocache ? cold : gw;
    const set = sc.tokens ? tokens[sc.tokens] : undefined;
    // Warm-up: every token once (so "one token" is a cache hit and the 10k set cycles the same way for every mode).
    await runLoad({
      url: target.url,
      scenario: sc,
      tokens: set,
      amount: Math.max(3000, set?.length ?? 0),
      connections: CONNECTIONS,
      maxS: 60,
    });
    const { result, p99Ms, maxMs } = await watchLoop(
      target.admin,
      runLoad({ url: target.url, scenario: sc, tokens: set, durationS: DURATION, connections: CONNECTIONS, pid: target.child.pid }),
    );
    const row = {
      mode,
      scenario: sc.id,
      ok: result.ok,
      rps: Math.round(result.rps ?? 0),
      perCpuS: Math.round(result.perCpuS ?? 0),
      p99: result.p99,
      loopP99Ms: p99Ms,
      loopMaxMs: maxMs,
      problems: result.problems,
    };
    rows.push(row);
    process.stderr.write(
      `${mode.padEnd(7)} ${sc.id.padEnd(12)} ${String(row.rps).padStart(7)} req/s  ${String(row.perCpuS).padStart(7)} req/CPU-s  p99 ${row.p99} ms  loop p99 ${p99Ms.toFixed(2)} ms (max ${maxMs.toFixed(2)} ms)${row.ok ? '' : `  FAILED: ${row.problems.join('; ')}`}\n`,
    );
  }
  if (RATE > 0 && cold) {
    const sc = scenarios.find((x) => x.nocache);
    const run = new Promise((resolve, reject) => {
      autocannon(
        {
          url: `${cold.url}${sc.path}`,
          connections: CONNECTIONS,
          pipelining: 1,
          duration: DURATION,
          overallRate: RATE,
          timeout: 10,
          ...requestOptions(sc, tokens[sc.tokens], undefined, CONNECTIONS),
        },
        (err, r) => (err ? reject(err) : resolve(r)),
      );
    });
    const { result, p99Ms, maxMs } = await watchLoop(cold.admin, run);
    const ok = result.non2xx === 0 && result.errors === 0;
    const row = {
      mode,
      scenario: `${sc.id} @${RATE}/s`,
      ok,
      rps: Math.round(result.requests.average),
      perCpuS: 0,
      p99: result.latency.p99,
      loopP99Ms: p99Ms,
      loopMaxMs: maxMs,
      problems: ok ? [] : [`non2xx ${result.non2xx}, errors ${result.errors}`],
    };
    rows.push(row);
    process.stderr.write(
      `${mode.padEnd(7)} ${row.scenario}  ${row.rps} req/s  p99 ${row.p99} ms  loop p99 ${p99Ms.toFixed(2)} ms (max ${maxMs.toFixed(2)} ms)\n`,
    );
  }
  await stopProcess(gw.child);
  if (cold) await stopProcess(cold.child);
}
await stopProcess(upstream.child);

const pass = Object.fromEntries(rows.filter((r) => r.scenario === 'passthrough').map((r) => [r.mode, r.rps]));
console.log(
  `\nNode ${process.version}, ${os.availableParallelism()} cores, CPU plan: ${plan.pinned ? `load ${plan.load}, gateway ${plan.sut}, upstream ${plan.upstream}` : plan.why}; ${WORKERS} worker(s), ${CONNECTIONS} connections, ${DURATION} s per run\n`,
);
console.log(
  '| asymmetric_verify | scenario | req/s | req/CPU-s | vs passthrough | latency p99 | loop delay p99 (worst window) | loop delay max |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  const ratio = pass[r.mode] && !r.scenario.includes('@') ? (r.rps / pass[r.mode]).toFixed(2) : '';
  console.log(
    `| ${r.mode} | ${r.scenario}${r.ok ? '' : ' (FAILED)'} | ${r.rps} | ${r.perCpuS || ''} | ${ratio} | ${r.p99} ms | ${r.loopP99Ms.toFixed(2)} ms | ${r.loopMaxMs.toFixed(2)} ms |`,
  );
}
