// Renders the gateway's counters in the Prometheus text exposition format (version 0.0.4).
import type { DataPlaneCounters } from '../pipeline/types.js';
import { AUTHORIZER_OUTCOMES } from '../pipeline/authorizer-outcome.js';
import { AUTH_REASON_NAMES } from '../auth/types.js';
import { AUTH_ALLOWED_COUNTERS, AUTH_DENIED_COUNTERS } from './counters.js';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsWorker {
  id: number;
  requests: number;
  restarts: number;
  generation: number;
}

export interface MetricsSnapshot {
  counters: DataPlaneCounters;
  workers: readonly MetricsWorker[];
  configGeneration: number;
  reloadsOk: number;
  reloadsFailed: number;
  uptimeSeconds: number;
  /** Admin listener refusals (src/admin/admin-guard.ts); absent when there is no admin listener. */
  admin?: { authFailures: number; refusedOrigin: number; refusedHost: number };
}

type Sample = [labels: string, value: number];

function family(out: string[], name: string, type: 'counter' | 'gauge', help: string, samples: Sample[]): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [labels, value] of samples) out.push(`${name}${labels} ${value}`);
}

/**
 * Every reason a result can have: allowed is `ok` or `anonymous`; denied is any other reason, or `anonymous` when the
 * configured anonymous consumer does not exist (500). Fixed series, so dashboards see zeros rather than gaps.
 */
function authSamples(c: DataPlaneCounters): Sample[] {
  const samples: Sample[] = [];
  AUTH_REASON_NAMES.forEach((name, r) => {
    if (name === 'ok' || name === 'anonymous') samples.push([`{result="allowed",reason="${name}"}`, c[AUTH_ALLOWED_COUNTERS[r]!]]);
    if (name !== 'ok') samples.push([`{result="denied",reason="${name}"}`, c[AUTH_DENIED_COUNTERS[r]!]]);
  });
  return samples;
}

export function renderMetrics(s: MetricsSnapshot): string {
  const c = s.counters;
  const out: string[] = [];
  family(out, 'portcullis_requests_total', 'counter', 'Requests received by the proxy listener.', [['', c.requests]]);
  family(out, 'portcullis_responses_total', 'counter', 'Responses sent, by status class.', [
    ['{class="2xx"}', c.responses2xx],
    ['{class="3xx"}', c.responses3xx],
    ['{class="4xx"}', c.responses4xx],
    ['{class="5xx"}', c.responses5xx],
  ]);
  family(out, 'portcullis_auth_total', 'counter', 'JWT authentication decisions, by result and reason.', authSamples(c));
  family(out, 'portcullis_upstream_errors_total', 'counter', 'Upstream connect errors, resets and timeouts.', [['', c.upstreamErrors]]);
  family(out, 'portcullis_in_flight_requests', 'gauge', 'Requests currently being served.', [['', c.inFlight]]);
  family(out, 'portcullis_token_cache_hits_total', 'counter', 'Verified-token cache hits.', [['', c.tokenCacheHits]]);
  family(out, 'portcullis_token_cache_misses_total', 'counter', 'Verified-token cache misses.', [['', c.tokenCacheMisses]]);
  family(out, 'portcullis_token_cache_evictions_total', 'counter', 'Verified-token cache evictions.', [['', c.tokenCacheEvictions]]);
  family(out, 'portcullis_token_cache_entries', 'gauge', 'Entries in the verified-token caches.', [['', c.tokenCacheEntries]]);
  family(
    out,
    'portcullis_verify_queue_full_total',
    'counter',
    'Requests answered 503 because the asymmetric verification queue was full.',
    [['', c.verifyQueueFull]],
  );
  family(out, 'portcullis_verify_offloaded_total', 'counter', 'Asymmetric verifications run off the event loop (libuv or pool).', [
    ['', c.verifyOffloaded],
  ]);
  family(out, 'portcullis_verify_pending', 'gauge', 'Asymmetric verifications queued or in flight.', [['', c.verifyPending]]);
  family(out, 'portcullis_jwks_sources', 'gauge', 'JWKS URIs in use, per worker thread summed; ready = loaded once or wait ended.', [
    ['{state="configured"}', c.jwksSources],
    ['{state="ready"}', c.jwksSourcesReady],
  ]);
  family(out, 'portcullis_jwks_fetches_total', 'counter', 'JWKS fetches.', [
    ['{result="any"}', c.jwksFetches],
    ['{result="error"}', c.jwksFetchErrors],
  ]);
  family(out, 'portcullis_event_loop_delay_microseconds', 'gauge', 'Worker event-loop delay since the previous read (max over workers).', [
    ['{quantile="0.99"}', c.loopDelayP99Us],
    ['{quantile="1"}', c.loopDelayMaxUs],
  ]);
  family(out, 'portcullis_jwks_refetches_suppressed_total', 'counter', 'Unknown-kid JWKS refetches refused by the rate limit.', [
    ['', c.jwksRefetchesSuppressed],
  ]);
  family(
    out,
    'portcullis_authorizer_decisions_total',
    'counter',
    'External-authorizer answers, by result and reason.',
    AUTHORIZER_OUTCOMES.map((o) => [`{result="${o.result}",reason="${o.reason}"}`, c[o.counter]]),
  );
  family(
    out,
    'portcullis_worker_requests_total',
    'counter',
    'Requests received, per live worker thread.',
    s.workers.map((w) => [`{worker="${w.id}"}`, w.requests]),
  );
  family(
    out,
    'portcullis_worker_restarts_total',
    'counter',
    'Times a worker thread was restarted after it died.',
    s.workers.map((w) => [`{worker="${w.id}"}`, w.restarts]),
  );
  family(out, 'portcullis_workers', 'gauge', 'Worker threads currently serving.', [['', s.workers.length]]);
  family(out, 'portcullis_config_generation', 'gauge', 'Generation of the active configuration.', [['', s.configGeneration]]);
  family(out, 'portcullis_config_reloads_total', 'counter', 'Configuration reloads, by result.', [
    ['{result="ok"}', s.reloadsOk],
    ['{result="rejected"}', s.reloadsFailed],
  ]);
  family(out, 'portcullis_uptime_seconds', 'gauge', 'Seconds since the gateway started.', [['', Math.round(s.uptimeSeconds)]]);
  if (s.admin) {
    family(out, 'portcullis_admin_auth_failures_total', 'counter', 'Admin requests refused with 401: Kong-Admin-Token missing or wrong.', [
      ['', s.admin.authFailures],
    ]);
    family(
      out,
      'portcullis_admin_requests_refused_total',
      'counter',
      'Admin requests refused with 403: cross-site (origin) or foreign Host (host).',
      [
        ['{reason="origin"}', s.admin.refusedOrigin],
        ['{reason="host"}', s.admin.refusedHost],
      ],
    );
  }
  return `${out.join('\n')}\n`;
}
