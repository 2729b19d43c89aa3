import { describe, expect, it } from 'vitest';
import { readinessOf } from '../../../src/supervisor/replica.js';
import { emptyCounters } from '../../../src/observability/counters.js';
import type { WorkerStatus } from '../../../src/admin/status.js';

function worker(id: number, state: WorkerStatus['state'], generation: number | null): WorkerStatus {
  return {
    id,
    thread_id: id,
    state,
    generation,
    port: 8000,
    http_engine: 'uws-native',
    hmac_engine: 'native',
    restarts: 0,
    requests: 0,
    in_flight: 0,
    heap_used: null,
  };
}

const counters = (jwksSources = 0, jwksSourcesReady = 0) => ({ ...emptyCounters(), jwksSources, jwksSourcesReady });

describe('readiness (/status/ready)', () => {
  it('is ready when every worker serves the current generation and every JWKS has loaded', () => {
    expect(
      readinessOf({ draining: false, generation: 3, workers: [worker(0, 'ready', 3), worker(1, 'ready', 3)], counters: counters(2, 2) }),
    ).toEqual({ ready: true });
  });
  it('is not ready while draining, whatever else holds', () => {
    expect(readinessOf({ draining: true, generation: 1, workers: [worker(0, 'ready', 1)], counters: counters() })).toEqual({
      ready: false,
      reason: 'draining: the gateway is shutting down',
    });
  });
  it('names a worker that is restarting', () => {
    expect(
      readinessOf({ draining: false, generation: 1, workers: [worker(0, 'ready', 1), worker(1, 'restarting', 1)], counters: counters() }),
    ).toEqual({ ready: false, reason: 'worker 1 is not serving (restarting)' });
  });
  it('names a worker left on an older generation (its reload failed), but not one already ahead mid-reload', () => {
    expect(readinessOf({ draining: false, generation: 4, workers: [worker(0, 'ready', 3)], counters: counters() })).toEqual({
      ready: false,
      reason: 'worker 0 runs config generation 3, not 4',
    });
    expect(readinessOf({ draining: false, generation: 4, workers: [worker(0, 'ready', 5)], counters: counters() })).toEqual({
      ready: true,
    });
  });
  it('waits for every JWKS source to load once', () => {
    expect(readinessOf({ draining: false, generation: 1, workers: [worker(0, 'ready', 1)], counters: counters(3, 1) })).toEqual({
      ready: false,
      reason: 'JWKS not loaded yet: 1 of 3 sources ready',
    });
  });
});
