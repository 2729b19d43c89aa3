import { describe, expect, it } from 'vitest';
import { median, renderMarkdown, renderTable, summarizeCell } from '../../../bench/macro/report.mjs';

const good = (rps: number, perCpuS: number, p99: number) => ({ ok: true, problems: [], rps, perCpuS, p50: 1, p99, p999: p99 + 1 });

describe('bench report', () => {
  it('takes the median of odd and even counts and ignores missing values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([null, 5, undefined])).toBe(5);
    expect(median([])).toBeNull();
  });

  it('reports a cell as failed when any repeat had unexpected statuses, however fast', () => {
    const cell = summarizeCell([good(1e6, 1e6, 1), { ok: false, problems: ['unexpected statuses: 404×10'], rps: 9e9 }]);
    expect(cell.ok).toBe(false);
    expect(cell.problems).toEqual(['unexpected statuses: 404×10']);
  });

  it('uses per-metric medians across repeats', () => {
    const cell = summarizeCell([good(100, 10, 5), good(300, 30, 1), good(200, 20, 3)]);
    expect(cell).toMatchObject({ ok: true, repeats: 3, rps: 200, perCpuS: 20, p99: 3 });
  });

  const input = () => ({
    systems: [
      { id: 'direct', label: 'direct', available: true },
      { id: 'portcullis', label: 'Portcullis', available: true },
      { id: 'peer', label: 'peer', available: false, reason: 'did not start\nlog…' },
    ],
    scenarios: [
      { id: 'a', title: 'A' },
      { id: 'b', title: 'B' },
    ],
    cells: {
      direct: { a: summarizeCell([good(40_000, 80_000, 2)]), b: { na: 'no auth' } },
      portcullis: { a: summarizeCell([good(20_000, 40_000, 4)]), b: summarizeCell([{ ok: false, problems: ['3 timeouts'] }]) },
    },
  });

  it('renders one row per system with RPS, req/CPU-s and p99, failures and unavailable systems spelled out', () => {
    const table = renderTable(input());
    const lines = table.split('\n');
    expect(lines[0]).toBe('| system | A | B |');
    expect(lines[2]).toBe('| direct | 40.0k rps · 80.0k/CPU-s · p99 2.00 ms | n/a |');
    expect(lines[3]).toBe('| Portcullis | 20.0k rps · 40.0k/CPU-s · p99 4.00 ms | **FAILED**: 3 timeouts |');
    expect(lines[4]).toBe('| peer | not available | not available |');
  });

  it('adds gateway/direct and gateway/peer ratio rows', () => {
    const lines = renderTable(input()).split('\n');
    expect(lines[5]).toBe('| *Portcullis / direct* | 0.50× rps · 0.50× /CPU-s | – |');
    expect(lines[6]).toBe('| *Portcullis / peer* | – | – |');
  });

  it('writes machine, Node version and commit into the markdown file', () => {
    const md = renderMarkdown({
      ...input(),
      meta: {
        date: '2026-01-01T00:00:00Z',
        commit: 'abc1234',
        node: 'v20.0.0',
        command: 'npm run bench',
        pinning: 'not pinned',
        machine: { cpuModel: 'CPU', cpus: 2, memGiB: 4, os: 'Linux' },
        settings: { durationS: 8, repeat: 3, connections: 64, warmupS: 2 },
      },
    });
    expect(md).toContain('commit `abc1234` · Node v20.0.0 · CPU × 2 CPUs');
    expect(md).toContain('- peer: not available — did not start');
  });
});
