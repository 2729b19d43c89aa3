// Latency at a fixed rate: open-loop passthrough at shares of the gateway's measured maximum, the gateway next to the direct upstream (and HAProxy).
import { foreignCpu, foreignTasks } from './foreign-cpu.mjs';
import { runOpenLoop } from './open-loop.mjs';
import { attributeTail, foreignRuns, schedText, startSchedTrace } from './sched-trace.mjs';
import { formatCount, formatMs, median, summarizeCell } from './report.mjs';

export const LATENCY_SHARES = [0.25, 0.5, 0.75];
/**
 * The systems measured at each rate, in table order. `upstream` is the proxies' own backend reached without a proxy:
 * the baseline of "p99 added", because it runs where it runs behind a proxy (on 2 CPUs, beside the loader), so the
 * difference is the proxy's hop alone. `direct`, a second upstream on the proxies' core, stays as a reference. The
 * floors (the gateway's stack with no gateway, floor-proxy.mjs) are measured when the run starts them.
 */
export const LATENCY_SYSTEMS = ['direct', 'upstream', 'portcullis', 'haproxy', 'floor', 'floor-socket'];
const BASELINE = 'upstream';
const PATH = '/open/';

/**
 * For each share of `maxRps` (the gateway's closed-loop passthrough req/s of this run) run
 * `repeat` open-loop passthrough runs per system, interleaved, and keep the medians.
 * `systems` includes the backend as id `upstream`.
 * Each run also counts the CPU that processes the bench did not start took meanwhile (foreign-cpu.mjs): on a small
 * machine a few milliseconds of someone else's work on a busy CPU set a p99 of their own.
 * With `traceSched` ({ cpu, file }), each run also records which threads took the systems' CPU (sched-trace.mjs) and
 * logs how many of its requests over the p99 waited through another process's run there.
 * Resolves to { maxRps, rows: [{ share, rate, cells: { [systemId]: CellSummary & { sendLagP99 } }, foreign }] }, where
 * `foreign` is summarizeForeign's summary of the row's runs.
 */
export async function runLatencyRows({ systems, maxRps, durationS, repeat, connections, log, traceSched = null }) {
  const measured = LATENCY_SYSTEMS.map((id) => systems.find((s) => s.id === id && s.available)).filter(Boolean);
  const rows = [];
  for (const share of LATENCY_SHARES) {
    const rate = Math.max(1, Math.round(maxRps * share));
    const runs = Object.fromEntries(measured.map((s) => [s.id, []]));
    const traced = Object.fromEntries(measured.map((s) => [s.id, []]));
    const foreign = [];
    for (let rep = 0; rep < repeat; rep++) {
      for (const sys of rep % 2 ? [...measured].reverse() : measured) {
        const before = foreignTasks();
        const trace = traceSched === null ? null : await startSchedTrace(traceSched);
        const startedAt = performance.now();
        const r = await runOpenLoop({
          url: sys.url,
          path: PATH,
          rate,
          durationS,
          connections,
          pid: sys.pid,
          keepSamples: trace?.stop !== undefined,
        });
        const after = foreignTasks();
        const other = foreignCpu(before, after, (performance.now() - startedAt) / 1000);
        foreign.push(other);
        runs[sys.id].push(r);
        log(
          `[${rep + 1}/${repeat}] open loop ${Math.round(share * 100)}% = ${formatCount(rate)} rps ${sys.id.padEnd(10)} ` +
            `p50 ${formatMs(r.p50)}  p99 ${formatMs(r.p99)}  p99.9 ${formatMs(r.p999)}  (loader's send lag p99 ${formatMs(r.sendLagP99)}; ` +
            `${foreignText(other)})  ${r.ok ? 'ok' : `FAILED: ${r.problems.join('; ')}`}`,
        );
        if (trace !== null) {
          const a = await schedAttribution(trace, r, before, after);
          log(`    ${typeof a === 'string' ? `sched CPU ${traceSched.cpu}: ${a}` : schedText(a, traceSched.cpu)}`);
          if (typeof a !== 'string') traced[sys.id].push(a);
        }
        delete r.samples;
      }
    }
    // With each cell, how late the loader itself wrote its requests (p99, median of the runs): part of every latency.
    // With --trace-sched, also what its runs' traces say (summarizeSched).
    const cell = (id, list) => ({
      ...summarizeCell(list),
      sendLagP99: median(list.map((r) => r.sendLagP99)),
      ...(traced[id].length > 0 ? { sched: summarizeSched(traced[id]) } : {}),
    });
    rows.push({
      share,
      rate,
      cells: Object.fromEntries(Object.entries(runs).map(([id, list]) => [id, cell(id, list)])),
      foreign: summarizeForeign(foreign),
    });
  }
  return { maxRps, rows };
}

/** One run's sched trace lined up with its requests (attributeTail), or why there is none (a string). */
async function schedAttribution(trace, run, before, after) {
  if (trace.problem) return `not traced (${trace.problem})`;
  const events = await trace.stop();
  // Foreign: a thread outside the bench's process tree before or after the run (foreign-cpu.mjs's view).
  const foreign = (tid) => before.has(String(tid)) || after.has(String(tid));
  if (run.samples === undefined) return 'no requests answered';
  return attributeTail(run.samples, foreignRuns(events, foreign));
}

/**
 * A cell's traced runs, medians over them: the foreign runs' milliseconds on the systems' CPU, the share of the
 * requests over the p99 that waited through one, and the p99 of the requests that met none.
 */
export function summarizeSched(list) {
  const shares = list.filter((a) => a.slow > 0).map((a) => a.slowDuringRuns / a.slow);
  return {
    traced: list.length,
    foreignMs: median(list.map((a) => a.runMs)),
    slowShare: shares.length > 0 ? median(shares) : null,
    p99Without: median(list.map((a) => a.p99Without)),
  };
}

/** addedP99 over the requests no foreign run delayed (each cell's sched.p99Without); null unless both were traced. */
export function addedP99Without(row, id = 'portcullis', baseline = baselineOf(row)) {
  return p99Difference(row, id, baseline, (c) => c?.sched?.p99Without);
}

/**
 * With --trace-sched, the latency rows again from their traces: per system, the p99 of the requests that met no other
 * process's run on the systems' CPU (sched-trace.mjs) and the share of those over the p99 that met one; then the p99
 * each proxy adds over the baseline on that count. null when no cell was traced.
 */
export function renderSchedRows({ latency, systems }) {
  const label = labelOf(systems);
  const { ids, proxies } = tableSystems(latency, (c) => c?.sched);
  if (ids.length === 0) return null;
  const head = `| rate | ${ids.map((id) => `${label(id)} p99 without · slowest 1% that met one · foreign ms`).join(' | ')} | ${proxies.map((id) => `p99 added by ${label(id)}, without`).join(' | ')} |`;
  const rule = `|---|${ids.map(() => '---').join('|')}|${proxies.map(() => '---').join('|')}|`;
  const percent = (x) => (x === null ? '–' : `${Math.round(x * 100)}%`);
  const rows = latency.rows.map((row) => {
    const cols = ids.map((id) => {
      const t = row.cells[id]?.sched;
      return t ? `${formatMs(t.p99Without)} · ${percent(t.slowShare)} · ${t.foreignMs.toFixed(1)}` : 'n/a';
    });
    const added = proxies.map((id) => signedMs(addedP99Without(row, id)));
    return `| ${rateCell(row)} | ${cols.join(' | ')} | ${added.join(' | ')} |`;
  });
  return [head, rule, ...rows].join('\n');
}

/** A system's table label by id (the id itself when unknown). */
function labelOf(systems) {
  return (id) => systems.find((s) => s.id === id)?.label ?? id;
}

/** The systems a latency table shows (those whose cell `has` in some row), in table order, and the proxies among them. */
function tableSystems(latency, has) {
  const ids = LATENCY_SYSTEMS.filter((id) => latency.rows.some((r) => has(r.cells[id])));
  return { ids, proxies: ids.filter((id) => id !== 'direct' && id !== BASELINE) };
}

/** A latency table row's first cell: `50% = 14.4k req/s`. */
function rateCell(row) {
  return `${Math.round(row.share * 100)}% = ${formatCount(row.rate)} req/s`;
}

/** `+0.52 ms`, `-0.10 ms`, or – for null. */
function signedMs(ms) {
  return ms === null ? '–' : `${ms >= 0 ? '+' : '-'}${formatMs(Math.abs(ms))}`;
}

/**
 * The row's foreign CPU: the median ms/s of its runs, the thread name that was busiest in most of them, and that
 * thread's median milliseconds per time slice over those runs.
 */
export function summarizeForeign(list) {
  const votes = new Map();
  for (const f of list) if (f.busiest) votes.set(f.busiest.name, (votes.get(f.busiest.name) ?? 0) + 1);
  let busiest = null;
  for (const [name, n] of votes) if (busiest === null || n > votes.get(busiest)) busiest = name;
  const perSlice = list.filter((f) => f.busiest?.name === busiest).map((f) => f.busiest.ms / f.busiest.slices);
  return { msPerS: median(list.map((f) => f.msPerS)), busiest, msPerSlice: median(perSlice) };
}

/** The table cell of a row's foreign CPU: `10.6 (tokio-rt-worker, 1.6)`, or – without a figure. */
function foreignCell(f) {
  if (f?.msPerS == null) return '–';
  if (!f.busiest) return f.msPerS.toFixed(1);
  const perSlice = f.msPerSlice == null ? '' : `, ${f.msPerSlice.toFixed(1)}`;
  return `${f.msPerS.toFixed(1)} (${f.busiest}${perSlice})`;
}

/** `other processes 10.6 ms/s of CPU, busiest tokio-rt-worker 31 ms in 4 slices` for a run's log line. */
function foreignText(f) {
  const b = f.busiest;
  const busiest = b ? `, busiest ${b.name} ${b.ms.toFixed(0)} ms in ${b.slices} slice${b.slices === 1 ? '' : 's'}` : '';
  return `other processes ${f.msPerS.toFixed(1)} ms/s of CPU${busiest}`;
}

/**
 * p99 of `id` minus the baseline's at the same rate (ms): the proxies' upstream reached without a proxy, or the direct
 * upstream in a run without it (older results); null when either is missing or failed.
 */
export function addedP99(row, id = 'portcullis', baseline = baselineOf(row)) {
  return p99Difference(row, id, baseline, (c) => (c?.ok ? c.p99 : null));
}

/** The row's baseline of "p99 added": the proxies' upstream, or the direct upstream in older results without it. */
function baselineOf(row) {
  return row.cells[BASELINE] ? BASELINE : 'direct';
}

/** `p99Of(id's cell) − p99Of(baseline's cell)`, or null when either is missing. */
function p99Difference(row, id, baseline, p99Of) {
  const g = p99Of(row.cells[id]);
  const d = p99Of(row.cells[baseline]);
  return g != null && d != null ? g - d : null;
}

/** The markdown table: one row per rate, p50 / p99 / p99.9 and CPU busy share per system, then the p99 each proxy adds. */
export function renderLatencyRows({ latency, systems }) {
  const label = labelOf(systems);
  const { ids, proxies } = tableSystems(latency, Boolean);
  // Runs from before the foreign count was added have no such column.
  const withForeign = latency.rows.some((r) => r.foreign);
  const foreignHead = withForeign ? " other processes' CPU (ms/s; busiest thread, ms per slice) |" : '';
  const head = `| rate | ${ids.map((id) => `${label(id)} p50 / p99 / p99.9`).join(' | ')} | ${proxies.map((id) => `p99 added by ${label(id)}`).join(' | ')} |${foreignHead}`;
  const rule = `|---|${ids.map(() => '---').join('|')}|${proxies.map(() => '---').join('|')}|${withForeign ? '---|' : ''}`;
  const rows = latency.rows.map((row) => {
    const cols = ids.map((id) => {
      const c = row.cells[id];
      if (!c) return 'n/a';
      if (!c.ok) return `**FAILED**: ${c.problems.join('; ')}`;
      // The share of its core the system was busy: open-loop requests batch less than closed-loop
      // ones, so a rate at 50% of the closed-loop maximum keeps a server busier than 50%.
      const busy = c.perCpuS ? ` · ${Math.round((c.rps / c.perCpuS) * 100)}% CPU` : '';
      return `${formatMs(c.p50)} / ${formatMs(c.p99)} / ${formatMs(c.p999)}${busy}`;
    });
    // Beside the baseline's figure, the same against the direct upstream on its own core (what earlier runs printed).
    const added = proxies.map((id) =>
      row.cells[BASELINE] && row.cells.direct
        ? `${signedMs(addedP99(row, id))} (${signedMs(addedP99(row, id, 'direct'))} vs direct)`
        : signedMs(addedP99(row, id)),
    );
    const foreign = withForeign ? ` ${foreignCell(row.foreign)} |` : '';
    return `| ${rateCell(row)} | ${cols.join(' | ')} | ${added.join(' | ')} |${foreign}`;
  });
  return [head, rule, ...rows].join('\n');
}
