import { describe, expect, it } from 'vitest';
import { createCounterAggregator, emptyCounters } from '../../../src/observability/counters.js';
import { METRIC_TABLE, SLOT_FAMILIES } from '../../../src/observability/metric-table.js';

describe('metric table', () => {
  it('names every family once, portcullis_-prefixed, with _total exactly on counters', () => {
    const names = METRIC_TABLE.flatMap((f) => (f.name === null ? [] : [f.name]));
    expect(new Set(names).size).toBe(names.length);
    for (const f of METRIC_TABLE) {
      if (f.name === null) continue;
      expect(f.name).toMatch(/^portcullis_[a-z_]+$/);
      expect(f.name.endsWith('_total')).toBe(f.type === 'counter');
      expect(f.help.length).toBeGreaterThan(0);
    }
  });

  it('gives every counter slot one family and every exported series its own label set', () => {
    const slots = SLOT_FAMILIES.flatMap((f) => Object.keys(f.series));
    expect(new Set(slots).size).toBe(slots.length);
    expect(Object.keys(emptyCounters())).toEqual(slots);
    for (const f of SLOT_FAMILIES) {
      const labels = Object.values(f.series).filter((l) => l !== null);
      expect(new Set(labels).size).toBe(labels.length);
    }
  });

  it('creates the counters from the table: a new slot is zero and summed over workers', () => {
    const agg = createCounterAggregator();
    for (const id of [0, 1]) {
      const c = emptyCounters();
      for (const slot of Object.keys(c) as (keyof typeof c)[]) c[slot] = 1;
      agg.update(id, c);
    }
    const total = agg.total();
    for (const f of SLOT_FAMILIES) {
      for (const slot of Object.keys(f.series) as (keyof typeof total)[]) expect(total[slot]).toBe(f.combine === 'max' ? 1 : 2);
    }
  });
});
