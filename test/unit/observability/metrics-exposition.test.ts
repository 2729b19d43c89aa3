import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../../src/observability/counters.js';
import { renderMetrics, type MetricsSnapshot } from '../../../src/observability/metrics.js';

const GOLDEN = new URL('../../fixtures/observability/metrics.txt', import.meta.url);

/** Every counter a different value (by sorted name), so a series wired to the wrong counter shows in the text. */
function distinctCounters(): MetricsSnapshot['counters'] {
  const counters = emptyCounters();
  const names = (Object.keys(counters) as (keyof typeof counters)[]).sort();
  names.forEach((name, i) => {
    counters[name] = 1000 + i;
  });
  return counters;
}

const snapshot: MetricsSnapshot = {
  counters: distinctCounters(),
  workers: [
    { id: 0, requests: 30, restarts: 1, generation: 2 },
    { id: 1, requests: 12, restarts: 0, generation: 2 },
  ],
  configGeneration: 2,
  reloadsOk: 5,
  reloadsFailed: 1,
  uptimeSeconds: 12.4,
  admin: { authFailures: 3, refusedOrigin: 4, refusedHost: 6 },
};

describe('/metrics exposition', () => {
  it('is byte-identical to the pinned text: names, HELP, TYPE, label order and the counter behind every series', () => {
    expect(renderMetrics(snapshot)).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('leaves the admin families out when there is no admin listener', () => {
    const text = renderMetrics({ ...snapshot, admin: undefined });
    expect(text).toBe(readFileSync(GOLDEN, 'utf8').replace(/# HELP portcullis_admin_auth_failures_total[\s\S]*$/, ''));
  });
});
