import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foreignByName, foreignCpu, foreignTasks } from '../../../bench/macro/foreign-cpu.mjs';
import { renderLatencyRows, summarizeForeign } from '../../../bench/macro/latency.mjs';
import { summarizeCell } from '../../../bench/macro/report.mjs';

const task = (name: string, ns: number, slices = 1) => ({ name, ns, slices });

/** A node process named `name` (its command is a link of that name) that spins for `ms` and exits. */
function spinner(dir: string, name: string, ms: number) {
  const link = path.join(dir, name);
  fs.symlinkSync(process.execPath, link);
  const child = spawn(link, ['-e', `const t = Date.now(); while (Date.now() - t < ${ms}) {}`], { stdio: 'ignore' });
  return { child, exited: new Promise((resolve) => child.once('exit', resolve)) };
}

describe("the bench's count of other processes' CPU", () => {
  it('sums what each thread ran between two snapshots, per thread name, and names the busiest with its slices', () => {
    const before = new Map([
      ['1', task('agent', 5e6, 10)],
      ['2', task('kworker', 1e6, 100)],
      ['3', task('agent', 0, 0)],
    ]);
    const after = new Map([
      ['1', task('agent', 25e6, 12)],
      ['2', task('kworker', 16e6, 400)],
      ['3', task('agent', 4e6, 1)],
      ['4', task('newcomer', 2e6, 5)], // started in between: counted from zero
    ]);
    const f = foreignCpu(before, after, 2);
    expect(f.msPerS).toBeCloseTo((20 + 15 + 4 + 2) / 2);
    expect(f.busiest).toEqual({ name: 'agent', ms: 24, slices: 3 });
    expect(foreignByName(before, after).get('kworker')).toEqual({ ns: 15e6, slices: 300 });
    expect(foreignCpu(before, before, 2)).toEqual({ msPerS: 0, busiest: null });
  });

  it('summarises a row by the median of its runs and the name busiest in most of them', () => {
    const run = (msPerS: number, name: string | null, slices = 1) => ({
      msPerS,
      busiest: name === null ? null : { name, ms: msPerS, slices },
    });
    expect(summarizeForeign([run(9, 'agent', 2), run(2, 'kworker', 8), run(12, 'agent', 2)])).toEqual({
      msPerS: 9,
      busiest: 'agent',
      msPerSlice: 5.25, // the median of 4.5 and 6, the agent's runs only
    });
    expect(summarizeForeign([])).toEqual({ msPerS: null, busiest: null, msPerSlice: null });
  });

  it('prints the row figure as a last column, and no column for results from before it', () => {
    const cell = summarizeCell([{ ok: true, problems: [], rps: 1000, perCpuS: 2000, p50: 0.2, p99: 1, p999: 2 }]);
    const systems = [{ id: 'portcullis', label: 'Portcullis' }];
    const row = { share: 0.5, rate: 1000, cells: { portcullis: cell } };
    const foreign = { msPerS: 10.62, busiest: 'agent', msPerSlice: 7.04 };
    const withForeign = renderLatencyRows({ latency: { maxRps: 2000, rows: [{ ...row, foreign }] }, systems });
    expect(withForeign.split('\n')[0]!.endsWith("| other processes' CPU (ms/s; busiest thread, ms per slice) |")).toBe(true);
    expect(withForeign.split('\n')[2]!.endsWith('| 10.6 (agent, 7.0) |')).toBe(true);
    const older = renderLatencyRows({ latency: { maxRps: 2000, rows: [row] }, systems });
    expect(older).not.toContain('other processes');
  });

  it('counts a busy process outside the given process tree, and nothing inside it', async () => {
    if (process.platform !== 'linux' || !fs.existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`)) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foreign-cpu-'));
    try {
      const { exited } = spinner(dir, 'pc-spinner', 700);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Rooted at this process the spinner is one of ours; rooted at a pid that does not exist, nothing is.
      const mine = foreignTasks(process.pid);
      const nobodys = foreignTasks(-1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const spun = (before: Map<string, { name: string; ns: number; slices: number }>, root: number) =>
        foreignByName(before, foreignTasks(root)).get('pc-spinner')?.ns ?? 0;
      expect(spun(mine, process.pid)).toBe(0);
      expect(spun(nobodys, -1)).toBeGreaterThan(200e6);
      await exited;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
