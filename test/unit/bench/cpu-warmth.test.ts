// The wake-up cost probe: it times real work after real sleeps, and its table reads each figure against back to back.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { measureWarmth, renderWarmth } from '../../../bench/cpu-warmth.mjs';

describe('the CPU warmth probe', () => {
  it('times a chunk per working set and sleep, the set rounded up to a power of two', () => {
    const rows = measureWarmth({ sizesKiB: [3, 64], sleepsUs: [0, 200], steps: 500, reps: 20 });
    expect(rows.map((r) => r.bytes)).toEqual([4096, 65536]);
    for (const row of rows) {
      expect(row.us).toHaveLength(2);
      for (const us of row.us) expect(us).toBeGreaterThan(0);
    }
  });

  it('renders the medians, each after the first with its ratio to back to back', () => {
    const table = renderWarmth(
      [
        { bytes: 65536, us: [8, 12] },
        { bytes: 8 * 2 ** 20, us: [20, 50] },
      ],
      [0, 100],
    ).split('\n');
    expect(table[0]).toBe('| working set | back to back | after 100 µs asleep |');
    expect(table[2]).toBe('| 64 KiB | 8.0 µs | 12.0 µs (1.50×) |');
    expect(table[3]).toBe('| 8 MiB | 20.0 µs | 50.0 µs (2.50×) |');
  });

  it('runs as a command and prints the table', () => {
    const out = execFileSync(
      process.execPath,
      ['bench/cpu-warmth.mjs', '--sizes', '4', '--sleeps', '0,50', '--steps', '200', '--reps', '10'],
      {
        encoding: 'utf8',
      },
    );
    expect(out).toMatch(
      /^\| working set \| back to back \| after 50 µs asleep \|\n\|---\|---\|---\|\n\| 4 KiB \| [\d.]+ µs \| [\d.]+ µs \([\d.]+×\) \|\n$/,
    );
  });
});
