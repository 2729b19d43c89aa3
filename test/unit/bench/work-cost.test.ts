// The work-cost probe's arithmetic: medians and the cost factor of added work, and its table.
import { describe, expect, it } from 'vitest';
import { renderWorkCost, workCostRows } from '../../../bench/work-cost.mjs';

describe('the work-cost probe', () => {
  it('reads each level against no added work: the median CPU per request, and what it adds per µs of work', () => {
    const rows = workCostRows([
      { workUs: 0, usPerRequest: [9, 8, 10] },
      { workUs: 1, usPerRequest: [10, 11, 30] },
      { workUs: 4, usPerRequest: [15, 14, 16] },
    ]);
    expect(rows.map((r) => [r.workUs, r.us, r.added, r.factor])).toEqual([
      [0, 9, 0, null],
      [1, 11, 2, 2],
      [4, 15, 6, 1.5],
    ]);
    expect(rows[0]!.perCpuS).toBeCloseTo(111_111, 0);
  });

  it('renders one line per level', () => {
    const table = renderWorkCost(
      workCostRows([
        { workUs: 0, usPerRequest: [8] },
        { workUs: 2, usPerRequest: [12] },
      ]),
    ).split('\n');
    expect(table[0]).toBe('| work added per request | req/CPU-s | CPU per request | added over none | added ÷ work |');
    expect(table[2]).toBe('| 0 µs | 125.0k | 8.00 µs | 0.00 µs | – |');
    expect(table[3]).toBe('| 2 µs | 83.3k | 12.00 µs | 4.00 µs | 2.00× |');
  });
});
