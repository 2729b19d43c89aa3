// A/B mode (`--ab A B`): two gateways behind one upstream, each scenario loaded on A and B in turn in short windows; B ÷ A as a paired median.
import fs from 'node:fs';
import path from 'node:path';
import { runLoad } from './load.mjs';
import { runOpenLoop } from './open-loop.mjs';
import { formatRatio } from './paired-stats.mjs';
import { loadWindow, pairLine, runPairs } from './paired.mjs';
import { preflight } from './preflight.mjs';
import { stopProcess } from './procs.mjs';
import { formatCount, formatMs, median } from './report.mjs';
import { buildTokenSets, scenarioUrl, selectScenarios, UPLOAD_BYTES } from './scenarios.mjs';
import { startBackend, startGateway } from './systems.mjs';
import { createCredentials } from './tokens.mjs';
import { http1Load } from './wrk.mjs';
import { runMeta, setUp, writeResults } from './session.mjs';

export const AB_SCENARIOS = 'passthrough,hs256-one,bad-sig,resp-64k';
const WARM_REQUESTS = 3000;
const SIDE_HELP =
  'a side is portcullis, portcullis-node, portcullis-log, a directory holding a built checkout (DIR/dist/cli.js), or a command with {config}; +log after a directory or a command turns its access log on';

/**
 * What one side of `--ab` starts, as { spec, cmd, accessLog }: `portcullis` is `gatewayCmd`,
 * `portcullis-node` the same with `--http-engine node`, `portcullis-log` the same with
 * gateway.access_log to a file; a directory runs its own dist/cli.js (another build, e.g. a
 * worktree of the base commit); anything else is a command template with {config}. `+log` after
 * a directory or a command turns that side's access log on (two builds' access logs against each
 * other). Throws when a side names none of these.
 */
export function parseSide(spec, gatewayCmd, cwd = process.cwd()) {
  if (spec.endsWith('+log') && spec.length > 4) return { ...parseSide(spec.slice(0, -4), gatewayCmd, cwd), spec, accessLog: true };
  if (spec === 'portcullis') return { spec, cmd: gatewayCmd, accessLog: false };
  if (spec === 'portcullis-node') return { spec, cmd: `${gatewayCmd} --http-engine node`, accessLog: false };
  if (spec === 'portcullis-log') return { spec, cmd: gatewayCmd, accessLog: true };
  const dir = path.resolve(cwd, spec);
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) {
    const cli = path.join(dir, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error(`--ab ${spec}: ${cli} not found (run npm run build there)`);
    return { spec, cmd: `node ${JSON.stringify(cli)} --config {config}`, accessLog: false };
  }
  if (!spec.includes('{config}')) throw new Error(`--ab "${spec}": ${SIDE_HELP}`);
  return { spec, cmd: spec, accessLog: false };
}

/** Why a scenario cannot run in A/B mode with this upstream (or at a fixed rate), or null. */
function notApplicable(sc, upstream, rate) {
  if (sc.bodyBytes && upstream === 'nginx') return 'the nginx upstream does not count uploads';
  if (rate && (sc.tokens || sc.bodyBytes || sc.method || sc.listener))
    return 'the open-loop loader sends plain GETs to the proxy listener only';
  return null;
}

/**
 * A window's load at a fixed rate (`--rate`): the open-loop loader instead of autocannon, so each side's
 * req/CPU-s is the inverse of its CPU per request when requests arrive one at a time, and its p99 counts.
 */
function openLoopLoad(rate) {
  return ({ url, scenario, connections, durationS, pid }) =>
    runOpenLoop({ url, path: scenario.path, rate, durationS, connections, pid, expect: scenario.expect });
}

/**
 * Start the upstream and the two gateways (both pinned to the system-under-test CPU, loaded one at
 * a time), check and warm every scenario on both, then run `pairs` pairs of `windowS`-second
 * windows per scenario. Returns { sides, results: [{ scenario, ok, problems, a, b, ...summary }] }.
 */
export async function runAb({
  sides,
  scenarios,
  plan,
  upstream,
  loader = 'autocannon',
  workDir,
  pairs,
  windowS,
  warmS,
  connections,
  quick,
  rate,
  log,
}) {
  const creds = createCredentials();
  const tokenSets = buildTokenSets(creds, undefined, scenarios);
  const uploadBody = Buffer.alloc(UPLOAD_BYTES, 0x62);
  const started = [];
  const accessLogs = [];
  try {
    const backend = await startBackend({ kind: upstream, name: 'upstream', cpus: plan.upstream, workDir });
    started.push(backend.child);
    // Both start at once (each waits for its own /open/ answer); neither is loaded until the windows.
    const gateways = await Promise.all(
      sides.map(async (side, i) => {
        const name = `ab-${'ab'[i]}`;
        const accessLog = side.accessLog ? path.join(workDir, `${name}-access.log`) : undefined;
        if (accessLog) accessLogs.push(accessLog);
        const gw = await startGateway({ cmd: side.cmd, plan, creds, upstreamPort: backend.port, workDir, accessLog, name });
        if (gw.child) started.push(gw.child);
        return gw;
      }),
    );
    for (const [i, gw] of gateways.entries()) {
      if (!gw.available) throw new Error(`${'AB'[i]} (${sides[i].spec}) did not start: ${gw.reason}`);
      log(`${'AB'[i]}: ${sides[i].spec} → ${gw.url} (pid ${gw.pid})`);
    }
    const target = (gw, sc) => ({
      url: scenarioUrl(gw, sc),
      scenario: sc,
      tokens: tokenSets[sc.tokens],
      uploadBody,
      connections,
    });
    const results = [];
    for (const sc of scenarios) {
      const na = notApplicable(sc, upstream, rate);
      if (na) {
        results.push({ scenario: sc.id, na });
        continue;
      }
      const problems = [];
      for (const [i, gw] of gateways.entries()) {
        const problem = await preflight({ url: scenarioUrl(gw, sc), scenario: sc, tokens: tokenSets[sc.tokens], uploadBody });
        if (problem) problems.push(`${'AB'[i]}: ${problem}`);
      }
      if (problems.length) {
        log(`preflight ${sc.id}: ${problems.join('; ')}`);
        results.push({ scenario: sc.id, ok: false, problems });
        continue;
      }
      // Warm both (JIT, every token of a distinct-token set seen once) before the first window.
      const amount = Math.max(quick ? WARM_REQUESTS / 2 : WARM_REQUESTS, tokenSets[sc.tokens]?.length ?? 0);
      for (const gw of gateways) await runLoad({ ...target(gw, sc), amount, maxS: quick ? 2 : 10 });
      const load = rate ? openLoopLoad(rate) : http1Load(loader);
      const [a, b] = gateways.map((gw) => () => loadWindow(load, target(gw, sc), { windowS, warmS, pid: gw.pid }));
      log(`${sc.id}: ${pairs} pairs of ${windowS} s windows${rate ? ` at ${rate} req/s, open loop` : ''}`);
      const p99s = (row) => (rate ? `  p99 ${formatMs(row.bP99)} / ${formatMs(row.aP99)}` : '');
      const r = await runPairs({ a, b, pairs, onPair: (row, i) => log(`  ${pairLine(row, i, pairs)}${p99s(row)}`) });
      log(`  → B ÷ A ${formatRatio(r)}${r.ok ? '' : ` FAILED: ${r.problems.join('; ')}`}`);
      results.push({ scenario: sc.id, ...r });
    }
    return { sides: sides.map((s) => s.spec), rate, results };
  } finally {
    await Promise.all(started.map((c) => stopProcess(c)));
    for (const f of accessLogs) fs.rmSync(f, { force: true });
  }
}

/** What a scenario's interval says about B against A: better, worse, or no difference shown. */
export function abReading(r) {
  if (r.n < 2) return 'too few pairs';
  if (r.ciLo > 1) return 'B does more per CPU-second';
  if (r.ciHi < 1) return 'B does less per CPU-second';
  return 'no difference shown (the interval holds 1.00)';
}

/** The A/B results as markdown: one row per scenario; at a fixed rate also each side's CPU per request and p99. */
export function renderAb({ sides, results, pairs, windowS, rate }) {
  const f = (x) => (x === null || x === undefined ? '–' : x.toFixed(2));
  const extra = rate ? 4 : 0;
  const blank = ' |'.repeat(5 + extra);
  const rows = results.map((r) => {
    if (r.na) return `| ${r.scenario} | n/a: ${r.na} |${blank}`;
    if (!r.ok) return `| ${r.scenario} | **FAILED**: ${r.problems.join('; ')} |${blank}`;
    const ci = r.n > 1 ? `${f(r.ciLo)} – ${f(r.ciHi)} (${Math.floor(r.coverage * 1000) / 10}%)` : '–';
    const sideMedian = (k) => median(r.pairs.map((p) => p[k]));
    const fixedRate = rate
      ? ` ${['a', 'b'].map((k) => `${(1e6 / sideMedian(k)).toFixed(0)} µs`).join(' | ')} | ${formatMs(sideMedian('aP99'))} | ${formatMs(sideMedian('bP99'))} |`
      : '';
    return `| ${r.scenario} | ${f(r.median)}× | ${ci} | ${f(r.q1)} – ${f(r.q3)} | ${formatCount(sideMedian('a'))} | ${formatCount(sideMedian('b'))} |${fixedRate} ${abReading(r)} |`;
  });
  const fixedHead = rate ? ' A CPU per request | B CPU per request | A p99 | B p99 |' : '';
  return [
    `A: \`${sides[0]}\` · B: \`${sides[1]}\` — ${pairs} pairs of ${windowS} s windows per scenario, A and B in turn, the order alternating${
      rate ? `; open loop at ${rate} req/s (medians of the windows)` : ''
    }.`,
    '',
    `| scenario | B ÷ A req/CPU-s (median of pairs) | confidence interval of the median | IQR of the pairs | A req/CPU-s | B req/CPU-s |${fixedHead} reading |`,
    `|---|---|---|---|---|---|${rate ? '---|---|---|---|' : ''}---|`,
    ...rows,
  ].join('\n');
}

/** `--ab A B` with `opts.ab` the two parseSide() results: prints and writes B ÷ A per scenario, returns the exit code. */
export async function abMode(opts, log) {
  const sides = opts.ab;
  const scenarios = selectScenarios(opts.scenarios ?? (opts.rate ? 'passthrough' : AB_SCENARIOS));
  const pairs = Math.max(1, opts.pairs);
  const { plan, pinning, workDir, upstream, loader } = await setUp(opts, log);
  const t0 = Date.now();
  const run = {
    sides,
    scenarios,
    plan,
    upstream,
    loader,
    workDir,
    pairs,
    windowS: opts.windowS,
    warmS: opts.windowWarmS,
    connections: opts.connections,
    quick: opts.quick,
    rate: opts.rate,
    log,
  };
  const ab = await runAb(run);
  const meta = runMeta(opts, { pinning, upstream, loader });
  const md = [
    `# Portcullis A/B bench — ${meta.date}`,
    '',
    `commit \`${meta.commit}\` · Node ${meta.node} · ${meta.machine.cpuModel} × ${meta.machine.cpus} CPUs · \`${meta.command}\`; pinning: ${pinning}; upstream: ${meta.upstream}; HTTP/1.1 load: ${meta.loader}`,
    '',
    renderAb({ ...ab, pairs, windowS: opts.windowS }),
    '',
  ].join('\n');
  console.log(`\n${md}`);
  // The time of day in the name: several A/B runs of one commit in a day each keep their file.
  writeResults(opts, meta, `-ab-${meta.date.slice(11, 19).replaceAll(':', '')}`, { meta, ...ab }, md, log);
  const failed = ab.results.some((r) => !r.na && !r.ok);
  log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s${failed ? ' — some scenarios FAILED' : ''}`);
  return failed ? 1 : 0;
}
