// The sched trace's reading of perf's sched_switch lines, the foreign runs it finds, and which slow requests met one.
import { describe, expect, it } from 'vitest';
import { attributeTail, DRAIN_MS, foreignRuns, parseSwitches, schedText } from '../../../bench/macro/sched-trace.mjs';

const line = (seconds: number, prev: [string, number], next: [string, number]) =>
  `  ${seconds.toFixed(6)}: prev_comm=${prev[0]} prev_pid=${prev[1]} prev_prio=120 prev_state=S ==> next_comm=${next[0]} next_pid=${next[1]} next_prio=120`;

describe('the sched trace', () => {
  it('reads time and incoming task from perf script lines, names with spaces and brackets included', () => {
    const text = [
      line(100.0005, ['swapper/1', 0], ['node', 500]),
      'some unrelated line',
      line(100.002, ['node', 500], ['tokio-rt-worker', 1]),
      line(100.009, ['tokio-rt-worker', 1], ['kworker/1:1H-kblockd', 77]),
    ].join('\n');
    expect(parseSwitches(text)).toEqual([
      { atMs: 100000.5, nextPid: 500, nextComm: 'node' },
      { atMs: 100002, nextPid: 1, nextComm: 'tokio-rt-worker' },
      { atMs: 100009, nextPid: 77, nextComm: 'kworker/1:1H-kblockd' },
    ]);
  });

  it("finds the spans a foreign thread held the CPU, at least the minimum long, never the idle task's or ours", () => {
    const events = [
      { atMs: 0, nextPid: 500, nextComm: 'node' },
      { atMs: 2, nextPid: 1, nextComm: 'tokio-rt-worker' }, // 7 ms: kept
      { atMs: 9, nextPid: 500, nextComm: 'node' },
      { atMs: 10, nextPid: 77, nextComm: 'kworker' }, // 0.1 ms: too short
      { atMs: 10.1, nextPid: 0, nextComm: 'swapper/1' }, // idle: never foreign
      { atMs: 20, nextPid: 1, nextComm: 'tokio-rt-worker' }, // the last event: no end, not counted
    ];
    const foreign = (tid: number) => tid === 1 || tid === 77;
    expect(foreignRuns(events, foreign)).toEqual([{ startMs: 2, endMs: 9, name: 'tokio-rt-worker' }]);
    expect(foreignRuns(events, foreign, 0.05)).toHaveLength(2);
  });

  it('counts the requests over the p99 that met a run or the drain after it, and the p99 of the others', () => {
    // 1,000 requests, one per ms, 1 ms each; a 10 ms run at 500 ms makes the 20 requests due just before it slow.
    const due = Float64Array.from({ length: 1000 }, (_, i) => i);
    const latency = Float64Array.from({ length: 1000 }, (_, i) => (i >= 480 && i < 500 ? 20 : 1));
    const runs = [{ startMs: 500, endMs: 510, name: 'tokio-rt-worker' }];
    const a = attributeTail({ due, latency }, runs);
    expect(a.p99).toBe(20);
    expect(a).toMatchObject({ runs: 1, runMs: 10, byName: { 'tokio-rt-worker': 10 } });
    // The p99 itself (20 ms) is not over the p99: nearest rank, so the slow ones are those above it — none here.
    expect(a.slow).toBe(0);
    // Requests that met the run (due 480–539 with the drain) are left out of the p99 without them.
    expect(a.p99Without).toBe(1);

    const spread = Float64Array.from({ length: 1000 }, (_, i) => (i >= 480 && i < 500 ? 20 + i - 480 : i === 100 ? 15 : 1));
    const b = attributeTail({ due, latency: spread }, runs);
    // Over the p99 (the 990th of 1,000): the 10 slowest; all met the run. A lone slow request elsewhere did not.
    expect(b.slow).toBe(10);
    expect(b.slowDuringRuns).toBe(10);
    // Without the 60 requests that met it (due 480–539, the drain included), one slow request in 940 is under the p99.
    expect(b.p99Without).toBe(1);
    expect(schedText(b, 1)).toContain(`of the 10 requests over the p99, 100% waited through one (or its ${DRAIN_MS} ms after)`);
  });

  it('says so when nothing foreign ran', () => {
    const a = attributeTail({ due: [0, 1, 2], latency: [1, 1, 1] }, []);
    expect(a).toMatchObject({ runs: 0, runMs: 0, slow: 0, slowDuringRuns: 0, p99Without: 1 });
    expect(schedText(a, 1)).toMatch(/0 foreign runs .*of the 0 requests over the p99, – waited/);
  });
});
