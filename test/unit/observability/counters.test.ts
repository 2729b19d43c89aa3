import { describe, expect, it } from 'vitest';
import { createCounterAggregator, emptyCounters } from '../../../src/observability/counters.js';

function counters(partial: Partial<ReturnType<typeof emptyCounters>>) {
  return { ...emptyCounters(), ...partial };
}

describe('counter aggregator', () => {
  it('sums the latest counters of every live worker', () => {
    const agg = createCounterAggregator();
    agg.update(0, counters({ requests: 10, responses2xx: 9, inFlight: 1 }));
    agg.update(1, counters({ requests: 5, responses4xx: 5, inFlight: 2 }));
    agg.update(0, counters({ requests: 12, responses2xx: 11, inFlight: 0 }));
    expect(agg.total()).toMatchObject({ requests: 17, responses2xx: 11, responses4xx: 5, inFlight: 2 });
  });

  it("keeps a retired worker's counts so totals never go down after a restart", () => {
    const agg = createCounterAggregator();
    agg.update(0, counters({ requests: 10, inFlight: 3, tokenCacheEntries: 7, tokenCacheHits: 4 }));
    agg.retire(0);
    agg.update(0, counters({ requests: 1 }));
    expect(agg.total()).toMatchObject({ requests: 11, tokenCacheHits: 4, inFlight: 0, tokenCacheEntries: 0 });
    expect(agg.latest(0)?.requests).toBe(1);
  });

  it('combines event-loop delays by maximum over workers, not by sum', () => {
    const agg = createCounterAggregator();
    agg.update(0, counters({ loopDelayP99Us: 300, loopDelayMaxUs: 900 }));
    agg.update(1, counters({ loopDelayP99Us: 500, loopDelayMaxUs: 700 }));
    expect(agg.total()).toMatchObject({ loopDelayP99Us: 500, loopDelayMaxUs: 900 });
  });

  it('ignores retiring a worker that never reported', () => {
    const agg = createCounterAggregator();
    agg.retire(3);
    expect(agg.total()).toEqual(emptyCounters());
  });
});
