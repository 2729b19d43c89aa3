// Idle cost: the CPU started, unloaded processes use, from /proc/<pid>/stat over one quiet window.
import { clkTck, cpuSeconds } from './cpu.mjs';
import { sleep } from './procs.mjs';

/**
 * Seconds between the last request and the idle window. A Node process whose allocation rate
 * drops runs V8's memory reducer: full (mark-compact) collections of every isolate, starting
 * some seconds after the drop. Traced on the gateway (`--trace-gc`): four of them (7–28 ms each)
 * made a 20 s window right after start-up cost 0.75% of a core; the same gateway idled at 0.10%
 * in the windows after. The window describes what idling costs, so it starts after them.
 */
export const IDLE_SETTLE_S = 15;

/**
 * Let the processes settle for `settleS` (the gateway's loop-delay sampler stops a second or two
 * after the last request; the memory reducer's collections follow, see IDLE_SETTLE_S), then read each pid's CPU seconds across the same `seconds` of no
 * traffic. Resolves to { [pid]: { seconds, cpuS, share, resolution } } where share is the fraction
 * of one core (0.005 = 0.5%); a pid without /proc is left out. One tick (1/CLK_TCK s) over the
 * window is the resolution: 20 s at 100 Hz resolves 0.05% of a core.
 */
export async function measureIdle({ pids, seconds, settleS = IDLE_SETTLE_S }) {
  await sleep(settleS * 1000);
  const before = pids.map((pid) => cpuSeconds(pid));
  const t0 = process.hrtime.bigint();
  await sleep(seconds * 1000);
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const out = {};
  pids.forEach((pid, i) => {
    const cpu0 = before[i];
    const cpu1 = cpuSeconds(pid);
    if (cpu0 === null || cpu0 === undefined || cpu1 === null) return;
    const cpuS = cpu1 - cpu0;
    out[pid] = { seconds: wall, cpuS, share: cpuS / wall, resolution: 1 / clkTck() / wall };
  });
  return out;
}
