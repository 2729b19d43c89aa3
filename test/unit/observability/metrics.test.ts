import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../../../src/observability/counters.js';
import { renderMetrics } from '../../../src/observability/metrics.js';

const snapshot = {
  counters: {
    ...emptyCounters(),
    requests: 42,
    responses2xx: 40,
    responses4xx: 2,
    authDenied: 2,
    auth_denied_expired: 2,
    auth_allowed_ok: 7,
    tokenCacheEntries: 3,
  },
  workers: [
    { id: 0, requests: 30, restarts: 1, generation: 2 },
    { id: 1, requests: 12, restarts: 0, generation: 2 },
  ],
  configGeneration: 2,
  reloadsOk: 1,
  reloadsFailed: 1,
  uptimeSeconds: 12.4,
};

describe('renderMetrics', () => {
  it('writes every family with HELP and TYPE lines and portcullis_ names', () => {
    const text = renderMetrics(snapshot);
    const names = [...text.matchAll(/^# TYPE (\S+) (counter|gauge)$/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) {
      expect(name).toMatch(/^portcullis_[a-z_]+$/);
      expect(text).toContain(`# HELP ${name} `);
    }
    expect(names.filter((n) => n.endsWith('_total'))).toEqual(names.filter((n) => new RegExp(`^# TYPE ${n} counter$`, 'm').test(text)));
  });

  it('labels response classes, auth results and per-worker samples', () => {
    const text = renderMetrics(snapshot);
    expect(text).toContain('portcullis_requests_total 42\n');
    expect(text).toContain('portcullis_responses_total{class="2xx"} 40\n');
    expect(text).toContain('portcullis_responses_total{class="4xx"} 2\n');
    expect(text).toContain('portcullis_auth_total{result="denied",reason="expired"} 2\n');
    expect(text).toContain('portcullis_auth_total{result="allowed",reason="ok"} 7\n');
    expect(text).toContain('portcullis_auth_total{result="denied",reason="scope"} 0\n');
    expect(text).not.toContain('portcullis_auth_total{result="denied",reason="ok"}');
    expect(text).toContain('portcullis_worker_requests_total{worker="0"} 30\n');
    expect(text).toContain('portcullis_worker_restarts_total{worker="0"} 1\n');
    expect(text).toContain('portcullis_workers 2\n');
    expect(text).toContain('portcullis_config_generation 2\n');
    expect(text).toContain('portcullis_config_reloads_total{result="rejected"} 1\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('lists authorizer decisions by result and reason', () => {
    const text = renderMetrics({ ...snapshot, counters: { ...snapshot.counters, authzDeniedClaims: 4 } });
    expect(text).toContain('# TYPE portcullis_authorizer_decisions_total counter');
    expect(text).toContain('portcullis_authorizer_decisions_total{result="denied",reason="claims"} 4');
    expect(text).toContain('portcullis_authorizer_decisions_total{result="not_found",reason="no_route"} 0');
  });

  it('has only well-formed sample lines', () => {
    for (const line of renderMetrics(snapshot).trimEnd().split('\n')) {
      if (line.startsWith('#')) continue;
      expect(line).toMatch(/^portcullis_[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? \d+$/);
    }
  });
});
