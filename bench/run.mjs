// `npm run bench`: macro bench of Portcullis vs the direct upstream and its peers, with #16's targets judged; `--micro` runs bench/micro.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { allowedCpus, hasTaskset, planCpus } from './macro/cpu.mjs';
import { http1Load } from './macro/wrk.mjs';
import { DEFAULT_STREAMS, h2Shape, runH2load } from './macro/h2load.mjs';
import { runMicro } from './macro/micro.mjs';
import { runTlsBench } from './macro/tls.mjs';
import { preflight } from './macro/preflight.mjs';
import { installExitHooks } from './macro/procs.mjs';
import { renderMarkdown, summarizeCell, formatCount, formatMs } from './macro/report.mjs';
import { measureIdle } from './macro/idle.mjs';
import { renderLatencyRows, renderSchedRows, runLatencyRows } from './macro/latency.mjs';
import { DRAIN_MS, MIN_RUN_MS } from './macro/sched-trace.mjs';
import { evaluateTargets, renderTargets } from './macro/targets.mjs';
import { buildTokenSets, scenarioUrl, selectScenarios, UPLOAD_BYTES } from './macro/scenarios.mjs';
import { createCredentials } from './macro/tokens.mjs';
import { DEFAULT_GATEWAY_CMD, startSystems } from './macro/systems.mjs';
import { loadWindow, renderPaired, runRatioPairs } from './macro/paired.mjs';
import { RATIO_PAIRS } from './macro/targets.mjs';
import { AB_SCENARIOS, abMode, parseSide } from './macro/ab.mjs';
import { LOADERS, REPO, runMeta, setUp, writeResults } from './macro/session.mjs';

/** HTTP/2 systems are driven by h2load, the others by the HTTP/1.1 loader (wrk.mjs's http1Load). */
const loadOn = (sys, loader) => (sys.loader === 'h2load' ? runH2load : http1Load(loader));
const SYSTEM_IDS = [
  'direct',
  'portcullis',
  'portcullis-node',
  'portcullis-h2',
  'portcullis-log',
  'peer',
  'haproxy',
  'nginx-proxy',
  'hello',
  'floor',
  'floor-socket',
];
const UPSTREAMS = ['uws', 'nginx'];
const WARM_REQUESTS = 3000;
const WARM_UPLOADS = 100;
const HELP = `usage: npm run bench -- [options]
  --quick               a short pass: 1.5 s runs, short start-up warm-up only, 1 repeat, 5 s idle window
  --repeat N            runs per cell, interleaved across systems (default 3)
  --duration S          seconds per measured run (default 5)
  --warmup S            seconds of warm-up before each timed run (default 1; every system is
                        also warmed once at start: 3000 requests per scenario, every token once)
  --connections N       autocannon connections (default 64; the upload scenario uses 16); h2load uses as many
  --h2-streams N        portcullis-h2: concurrent streams per h2load connection (default ${DEFAULT_STREAMS}); the row keeps the
                        HTTP/1.1 rows' requests in flight (--connections), over connections/N connections (64 → 8 × 8;
                        1 gives HTTP/1.1's shape, 64 × 1; uploads always use 1 stream per connection)
  --scenarios a,b       subset of: passthrough,hs256-one,hs256-10k,rs256-one,rs256-10k,bad-sig,resp-64k,upload-1m,hs256-policy,
                        authz-hs256-one,authz-hs256-10k (Portcullis' authorizer_listen only; not portcullis-h2)
  --systems a,b         subset of: direct,portcullis,portcullis-node,portcullis-h2,portcullis-log,peer,haproxy,nginx-proxy,hello,floor,
                        floor-socket
                        (portcullis-h2 needs h2load, Debian package nghttp2-client; skipped when absent;
                        portcullis-log: the gateway with gateway.access_log to a file; passthrough only;
                        haproxy: HAProxy jwt_verify, needs haproxy; nginx-proxy: nginx proxy_pass, no-auth rows only;
                        hello: the bench's uWS server alone on the gateway's CPU, the reference for refusals;
                        floor: uWS relaying through one undici pool with no gateway between, the floor of the
                        gateway's own stack; floor-socket: the same through plain keep-alive sockets, the floor
                        of any Node client; both GET rows only)
  --upstream uws|nginx  the backend and direct upstream: the bench's uWS server (default) or Debian's nginx
                        (started on a free loopback port; without nginx the bench says so and uses uWS)
  --loader wrk|autocannon  what drives the HTTP/1.1 timed runs (default wrk, one thread: C, it keeps the system
                        under test busy where autocannon, JavaScript, tops out near 45k req/s; without wrk the bench
                        says so and uses autocannon); warm-ups are autocannon's either way
  --gateway-cmd CMD     how to start the gateway ({config} is replaced; default "${DEFAULT_GATEWAY_CMD}")
  --no-pin              do not pin processes to CPUs
  --no-write            do not write bench/results/
  --no-latency          skip the open-loop latency rows (passthrough at 25/50/75% of Portcullis' measured
                        req/s, each --duration long, --repeat times, next to the proxies' upstream without a
                        proxy (the baseline of "p99 added"), the direct upstream and HAProxy)
  --trace-sched         with the latency rows: record which threads ran on the systems' CPU during each run
                        (perf sched_switch; needs perf and permission to trace) and log, per run, the other
                        processes' runs there and how many of the requests over the p99 waited through one
  --idle S              seconds of the idle-cost window after the load (default 20; --quick 5; 0 skips it)
  --pairs N             after the cells, each ratio a target judges (RATIO_PAIRS in targets.mjs) is measured
                        in N pairs of windows, its two cells loaded in turn; the targets judge from the
                        median of the per-pair ratios (default 10; --quick 3; 0 skips them)
  --window S            seconds per paired window (default 1.5; --quick 1)
  --window-warmup S     unmeasured load of the same cell before each window (default 0.5)
  --ab A B              A/B mode: two gateways side by side, each scenario (default ${AB_SCENARIOS})
                        loaded on A and B in turn in --pairs pairs of --window s windows; prints B ÷ A
                        req/CPU-s per scenario, a paired median with its confidence interval. A side is
                        portcullis, portcullis-node, portcullis-log (access log on), a directory with a
                        built checkout (DIR/dist/cli.js), or a gateway command with {config}
  --rate R              with --ab: each window is the open-loop loader at R requests/s instead of the closed
                        loop (scenarios without tokens or body; default passthrough), so B ÷ A is A's CPU per
                        request ÷ B's at that rate; each side's CPU per request and p99 are printed
  --micro [FILTER]      run bench/micro/*.bench.mjs (names containing FILTER) instead of the macro bench
  --tls                 uWS plain vs TLS keep-alive passthrough and TLS handshakes per CPU-second (uses --duration)`;

function parseOptions(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean' },
      repeat: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      'h2-streams': { type: 'string' },
      scenarios: { type: 'string' },
      upstream: { type: 'string' },
      loader: { type: 'string' },
      systems: { type: 'string' },
      'gateway-cmd': { type: 'string' },
      'no-pin': { type: 'boolean' },
      'no-write': { type: 'boolean' },
      'no-latency': { type: 'boolean' },
      'trace-sched': { type: 'boolean' },
      idle: { type: 'string' },
      pairs: { type: 'string' },
      window: { type: 'string' },
      'window-warmup': { type: 'string' },
      ab: { type: 'boolean' },
      rate: { type: 'string' },
      micro: { type: 'boolean' },
      tls: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const num = (v, d) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`expected a non-negative number, got "${v}"`);
    return n;
  };
  const q = values.quick;
  const systems = values.systems
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = systems?.filter((s) => !SYSTEM_IDS.includes(s)) ?? [];
  if (unknown.length) throw new Error(`unknown system(s): ${unknown.join(', ')} (known: ${SYSTEM_IDS.join(', ')})`);
  if (values.ab && positionals.length !== 2) throw new Error(`--ab takes two sides, got ${positionals.length}`);
  if (values.rate !== undefined && !values.ab) throw new Error('--rate is an --ab option');
  const loader = values.loader ?? 'wrk';
  if (!(/** @type {readonly string[]} */ (LOADERS).includes(loader)))
    throw new Error(`unknown loader "${loader}" (known: ${LOADERS.join(', ')})`);
  const upstream = values.upstream ?? 'uws';
  if (!UPSTREAMS.includes(upstream)) throw new Error(`unknown upstream "${upstream}" (known: ${UPSTREAMS.join(', ')})`);
  return {
    help: values.help,
    micro: values.micro,
    tls: values.tls,
    microFilter: positionals[0],
    // Each side checked now, so a wrong one is a usage error before anything starts.
    ab: values.ab ? positionals.map((spec) => parseSide(spec, values['gateway-cmd'] ?? DEFAULT_GATEWAY_CMD, REPO)) : null,
    quick: Boolean(q),
    repeat: Math.max(1, Math.round(num(values.repeat, q ? 1 : 3))),
    durationS: num(values.duration, q ? 1.5 : 5),
    warmupS: num(values.warmup, q ? 0 : 1),
    connections: num(values.connections, 64),
    h2Streams: Math.max(1, Math.round(num(values['h2-streams'], DEFAULT_STREAMS))),
    scenarios: values.scenarios,
    systems,
    upstream,
    loader,
    gatewayCmd: values['gateway-cmd'] ?? DEFAULT_GATEWAY_CMD,
    pin: !values['no-pin'],
    latency: !values['no-latency'],
    traceSched: Boolean(values['trace-sched']),
    idleS: num(values.idle, q ? 5 : 20),
    pairs: Math.round(num(values.pairs, q ? 3 : 10)),
    windowS: num(values.window, q ? 1 : 1.5),
    windowWarmS: num(values['window-warmup'], 0.5),
    write: !values['no-write'],
    rate: values.rate === undefined ? null : Math.max(1, Math.round(num(values.rate))),
  };
}

const log = (msg) => process.stderr.write(`${msg}\n`);

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

async function macro(opts) {
  const scenarios = selectScenarios(opts.scenarios);
  const { plan, pinning, workDir, upstream, loader } = await setUp(opts, log);
  const t0 = Date.now();
  const creds = createCredentials();
  const tokenSets = buildTokenSets(creds, undefined, scenarios);
  const uploadBody = Buffer.alloc(UPLOAD_BYTES, 0x62);
  log(
    `tokens: ${Object.entries(tokenSets)
      .map(([k, v]) => `${k}=${v.length}`)
      .join(' ')} (${Date.now() - t0} ms)`,
  );

  const {
    systems,
    upstream: backend,
    stop,
  } = await startSystems({
    plan,
    creds,
    workDir,
    gatewayCmd: opts.gatewayCmd,
    only: opts.systems,
    upstream,
    h2Shape: h2Shape(opts.connections, opts.h2Streams),
  });
  for (const s of systems) log(`${s.id}: ${s.available ? `${s.url} (pid ${s.pid})` : `not available — ${s.reason}`}`);

  /** @type {Record<string, Record<string, any>>} */
  const cells = {};
  const runs = {};
  const live = systems.filter((s) => s.available);
  /** What every load run of a cell sends: the system's URL for the scenario, its tokens and body, the connections. */
  const loadTarget = (sys, sc) => ({
    url: scenarioUrl(sys, sc),
    scenario: sc,
    tokens: tokenSets[sc.tokens],
    uploadBody,
    connections: opts.connections,
    streams: opts.h2Streams,
  });
  let latency = null;
  let idle = null;
  /** @type {Record<string, any>} */
  let paired = {};
  try {
    // A cell is skipped when the scenario does not apply or its preflight failed.
    for (const sys of live) {
      cells[sys.id] = {};
      runs[sys.id] = {};
      for (const sc of scenarios) {
        runs[sys.id][sc.id] = [];
        if (sys.id === 'direct' && sc.direct === false) {
          cells[sys.id][sc.id] = { na: 'no auth on the bare upstream' };
          continue;
        }
        if (!scenarioUrl(sys, sc)) {
          cells[sys.id][sc.id] = { na: 'no external-authorizer mode' };
          continue;
        }
        if (sys.loader === 'h2load' && (tokenSets[sc.tokens]?.length ?? 0) > 1) {
          cells[sys.id][sc.id] = { na: 'h2load sends one token' };
          continue;
        }
        if (sc.bodyBytes && upstream === 'nginx') {
          cells[sys.id][sc.id] = { na: 'the nginx upstream does not count uploads' };
          continue;
        }
        if (sys.peer && sc.peer === false) {
          cells[sys.id][sc.id] = { na: 'no equivalent in the peer' };
          continue;
        }
        if (sys.scenarios && !sys.scenarios.includes(sc.id)) {
          cells[sys.id][sc.id] = { na: `${sys.scenarios.join(', ')} only` };
          continue;
        }
        // h2 systems are preflighted over HTTP/1 on their first listener (same routes).
        const problem = await preflight({
          url: sc.listener === 'authorizer' ? scenarioUrl(sys, sc) : sys.url,
          scenario: sc,
          tokens: tokenSets[sc.tokens],
          uploadBody,
        });
        if (problem) {
          cells[sys.id][sc.id] = { ok: false, problems: [problem] };
          log(`preflight ${sys.id} ${sc.id}: ${problem}`);
        }
      }
    }
    // Warm every system once before timing anything: JIT-compiled hot paths, and every token of
    // the distinct-token sets seen once, so timed runs measure the steady state.
    for (const sys of live) {
      const t = Date.now();
      for (const sc of scenarios) {
        if (cells[sys.id][sc.id]) continue;
        const tokens = tokenSets[sc.tokens];
        // The bare upstream ignores tokens: a pass over all of them would warm nothing.
        const tokenPass = sys.id === 'direct' ? 0 : (tokens?.length ?? 0);
        const amount = sc.bodyBytes ? WARM_UPLOADS : Math.max(opts.quick ? WARM_REQUESTS / 2 : WARM_REQUESTS, tokenPass);
        await loadOn(sys, loader)({ ...loadTarget(sys, sc), amount, maxS: opts.quick ? 1 : 10 });
      }
      log(`warmed ${sys.id} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    }
    for (let rep = 0; rep < opts.repeat; rep++) {
      for (const [si, sc] of scenarios.entries()) {
        for (const sys of rotate(live, rep + si)) {
          if (cells[sys.id][sc.id]) continue;
          if (sys.child && sys.child.exitCode !== null) {
            runs[sys.id][sc.id].push({ ok: false, problems: ['process exited'] });
            continue;
          }
          const base = loadTarget(sys, sc);
          if (opts.warmupS > 0) await loadOn(sys, loader)({ ...base, durationS: opts.warmupS });
          const r = await loadOn(sys, loader)({ ...base, durationS: opts.durationS, pid: sys.pid });
          runs[sys.id][sc.id].push(r);
          log(
            `[${rep + 1}/${opts.repeat}] ${sc.id.padEnd(12)} ${sys.id.padEnd(10)} ${formatCount(r.rps).padStart(7)} rps ` +
              `${formatCount(r.perCpuS).padStart(7)}/CPU-s  p99 ${formatMs(r.p99).padStart(8)}  ${r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`}`,
          );
        }
      }
    }
    for (const sys of live) {
      for (const sc of scenarios) {
        if (!cells[sys.id][sc.id]) cells[sys.id][sc.id] = summarizeCell(runs[sys.id][sc.id]);
      }
    }
    // The ratios the targets judge, each from pairs of short windows of its two cells in turn (paired.mjs).
    if (opts.pairs > 0) {
      paired = await runRatioPairs({
        ratios: RATIO_PAIRS,
        cells,
        systems: live,
        scenarios,
        pairs: opts.pairs,
        windowS: opts.windowS,
        runWindow: (sys, sc) =>
          loadWindow(loadOn(sys, loader), loadTarget(sys, sc), { windowS: opts.windowS, warmS: opts.windowWarmS, pid: sys.pid }),
        log,
      });
    }
    // The trace follows one CPU: without pinning there is no single CPU the systems run on.
    const traceSched = opts.traceSched && plan.pinned ? { cpu: plan.sut, file: path.join(workDir, 'sched.data') } : null;
    if (opts.traceSched && !plan.pinned) log(`--trace-sched: not traced, the systems are not pinned (${plan.why})`);
    ({ latency, idle } = await afterThroughput({ opts, systems: [...systems, backend], live, cells, traceSched }));
  } finally {
    await stop();
  }

  const meta = runMeta(opts, { pinning, upstream, loader });
  // Only what describes the system: ports, pids and paths mean nothing outside this run.
  const publicSystems = systems.map(({ id, label, available, reason }) => ({ id, label, available, ...(reason ? { reason } : {}) }));
  const targets = evaluateTargets({ cells, latency, idle: idle?.portcullis ?? null, upstream, paired });
  const after = [];
  if (latency) {
    const latencySystems = [...publicSystems, { id: backend.id, label: backend.label }];
    after.push(
      `Open-loop passthrough at 25/50/75% of Portcullis' ${formatCount(latency.maxRps)} req/s (p50 / p99 / p99.9):\n\n${renderLatencyRows({ latency, systems: latencySystems })}`,
    );
    const sched = renderSchedRows({ latency, systems: latencySystems });
    if (sched !== null)
      after.push(
        `The same runs from their scheduler traces (\`--trace-sched\`; medians of the runs): the p99 of the requests that no other process's run of ${MIN_RUN_MS} ms or more on the systems' CPU delayed (nor its ${DRAIN_MS} ms after), the share of the requests over the p99 that such a run delayed, and those runs' milliseconds:\n\n${sched}`,
      );
  }
  if (idle) after.push(renderIdle(idle, publicSystems));
  const before = [renderTargets(targets), renderPaired(paired, opts)].filter(Boolean);
  const md = renderMarkdown({ meta, systems: publicSystems, scenarios, cells, before, after });
  console.log(`\n${md}`);
  writeResults(
    opts,
    meta,
    opts.quick ? '-quick' : '',
    { meta, systems: publicSystems, scenarios, cells, runs, paired, latency, idle, targets },
    md,
    log,
  );
  const failed = live.some((s) => scenarios.some((sc) => cells[s.id][sc.id] && !cells[s.id][sc.id].na && !cells[s.id][sc.id].ok));
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s${failed ? ' — some cells FAILED' : ''}`);
  return failed ? 1 : 0;
}

/**
 * After the throughput cells: open-loop latency rows at shares of Portcullis' passthrough maximum
 * (needs that cell), then every live system's CPU over one quiet window.
 */
async function afterThroughput({ opts, systems, live, cells, traceSched }) {
  let latency = null;
  const max = cells.portcullis?.passthrough;
  if (!opts.latency) log('latency rows: skipped (--no-latency)');
  else if (!max?.ok) log('latency rows: skipped (they need the portcullis system and the passthrough scenario)');
  else
    latency = await runLatencyRows({
      systems,
      maxRps: max.rps,
      durationS: opts.durationS,
      repeat: opts.repeat,
      connections: opts.connections,
      log,
      traceSched,
    });
  if (opts.idleS <= 0) return { latency, idle: null };
  log(`idle cost: ${opts.idleS} s without traffic`);
  const byPid = await measureIdle({ pids: live.map((s) => s.pid), seconds: opts.idleS });
  const idle = Object.fromEntries(live.filter((s) => byPid[s.pid]).map((s) => [s.id, byPid[s.pid]]));
  return { latency, idle };
}

/** One line: each system's idle CPU as a share of one core. */
function renderIdle(idle, systems) {
  const entries = Object.entries(idle);
  const seconds = entries[0]?.[1].seconds ?? 0;
  const label = (id) => systems.find((s) => s.id === id)?.label ?? id;
  return `Idle cost (${seconds.toFixed(0)} s without traffic, share of one core): ${entries.map(([id, r]) => `${label(id)} ${(r.share * 100).toFixed(2)}%`).join(' · ')}`;
}

async function main() {
  let opts;
  try {
    opts = parseOptions(process.argv.slice(2));
    selectScenarios(opts.scenarios);
  } catch (err) {
    console.error(`bench: ${err.message}\n\n${HELP}`);
    return 2;
  }
  installExitHooks();
  if (opts.help) {
    console.log(HELP);
    return 0;
  }
  if (opts.micro) {
    const plan = planCpus(allowedCpus(), { hasTaskset: hasTaskset(), disabled: !opts.pin });
    const results = await runMicro({ filter: opts.microFilter, cpus: plan.sut });
    return results.some((r) => r.code !== 0) ? 1 : 0;
  }
  if (opts.ab) return abMode(opts, log);
  if (opts.tls) {
    const plan = planCpus(allowedCpus(), { hasTaskset: hasTaskset(), disabled: !opts.pin });
    return runTlsBench({ plan, durationS: opts.durationS, connections: opts.connections, log });
  }
  return macro(opts);
}

process.exit(await main());
