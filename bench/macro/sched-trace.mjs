// Which other threads held the measured CPU while an open-loop run's slowest requests waited: perf's sched_switch events on that CPU, on the loader's clock, lined up with each request.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { percentile } from './load.mjs';
import { formatMs } from './report.mjs';

/** Foreign runs shorter than this are ignored: a few hundred microseconds is ordinary kernel housekeeping. */
export const MIN_RUN_MS = 0.3;
/** A request still counts as waiting through a run this long after it ended: the queue the run built drains first. */
export const DRAIN_MS = 30;

/** Whether `perf --version` ran: asked once per bench run, not before every traced run. */
let perfInstalled = null;

/**
 * Starts `perf record` of sched_switch on `cpu`, stamped with CLOCK_MONOTONIC (the clock of open-loop.mjs's nowMs).
 * Resolves to { stop(): Promise<switch events> } once perf is recording, or to { problem } (perf missing, not
 * permitted, or it never started).
 */
export async function startSchedTrace({ cpu, file }) {
  perfInstalled ??= spawnSync('perf', ['--version'], { encoding: 'utf8' }).status === 0;
  if (!perfInstalled) return { problem: 'perf is not installed (Debian: linux-perf)' };
  fs.rmSync(file, { force: true });
  const args = ['record', '-q', '-e', 'sched:sched_switch', '-C', String(cpu), '-k', 'CLOCK_MONOTONIC', '-o', file];
  const child = spawn('perf', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // perf writes its file's header once it records; an exit before that is a refusal (permissions, no tracepoint).
  for (let waited = 0; waited < 3000; waited += 50) {
    if (child.exitCode !== null) return { problem: `perf record exited: ${stderr.trim().split('\n')[0] || child.exitCode}` };
    if (fs.existsSync(file) && fs.statSync(file).size > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!fs.existsSync(file)) {
    child.kill('SIGKILL');
    return { problem: 'perf record did not start within 3 s' };
  }
  // Let perf enable its events before the run starts.
  await new Promise((r) => setTimeout(r, 100));
  return {
    async stop() {
      child.kill('SIGINT');
      await exited;
      const script = spawnSync('perf', ['script', '-i', file, '-F', 'time,trace'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      fs.rmSync(file, { force: true });
      return parseSwitches(script.stdout ?? '');
    },
  };
}

const SWITCH = /^\s*([\d.]+):\s+prev_comm=.* prev_pid=(\d+) .*==> next_comm=(.*) next_pid=(\d+) /;

/** `perf script -F time,trace` lines of sched_switch → [{ atMs, nextPid, nextComm }], in time order. */
export function parseSwitches(text) {
  const events = [];
  for (const line of text.split('\n')) {
    const m = SWITCH.exec(line);
    if (m) events.push({ atMs: Number(m[1]) * 1000, nextPid: Number(m[4]), nextComm: m[3] });
  }
  return events;
}

/**
 * The spans in which a foreign thread (`isForeign(tid)`) held the CPU for at least `minMs`: each switch's incoming
 * task runs until the next switch. → [{ startMs, endMs, name }].
 */
export function foreignRuns(events, isForeign, minMs = MIN_RUN_MS) {
  const runs = [];
  for (let i = 0; i + 1 < events.length; i++) {
    const e = events[i];
    const endMs = events[i + 1].atMs;
    if (e.nextPid !== 0 && isForeign(e.nextPid) && endMs - e.atMs >= minMs) runs.push({ startMs: e.atMs, endMs, name: e.nextComm });
  }
  return runs;
}

/**
 * Lines a run's requests up with the foreign runs. `due` and `latency` are per request, in ms on the same clock as the
 * runs. A request waited through a run when its span (due to answer) meets the run or the `drainMs` after it.
 * → { runs, runMs, byName: { name: ms }, p99, slow (requests above the p99), slowDuringRuns, p99Without (the p99 of
 * the requests that met no run) }.
 */
export function attributeTail({ due, latency }, runs, drainMs = DRAIN_MS) {
  // A few dozen runs per run of seconds: a scan per request is cheap enough.
  const met = (t, l) => runs.some((r) => r.startMs <= t + l && r.endMs + drainMs >= t);
  const sorted = Float64Array.from(latency).sort();
  const p99 = percentile(sorted, 0.99);
  let slow = 0;
  let slowDuringRuns = 0;
  const without = [];
  for (let i = 0; i < latency.length; i++) {
    const hit = met(due[i], latency[i]);
    if (latency[i] > p99) {
      slow++;
      if (hit) slowDuringRuns++;
    }
    if (!hit) without.push(latency[i]);
  }
  const byName = {};
  for (const r of runs) byName[r.name] = (byName[r.name] ?? 0) + (r.endMs - r.startMs);
  return {
    runs: runs.length,
    runMs: runs.reduce((sum, r) => sum + r.endMs - r.startMs, 0),
    byName,
    p99,
    slow,
    slowDuringRuns,
    p99Without: percentile(Float64Array.from(without).sort(), 0.99),
  };
}

/** One log line for attributeTail's result. */
export function schedText(a, cpu) {
  const names = Object.entries(a.byName)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`)
    .join(', ');
  const share = a.slow === 0 ? '–' : `${Math.round((100 * a.slowDuringRuns) / a.slow)}%`;
  return (
    `sched CPU ${cpu}: ${a.runs} foreign runs ≥ ${MIN_RUN_MS} ms (${a.runMs.toFixed(1)} ms${names ? `: ${names}` : ''}); ` +
    `of the ${a.slow} requests over the p99, ${share} waited through one (or its ${DRAIN_MS} ms after); p99 without such requests ${formatMs(a.p99Without)}`
  );
}
