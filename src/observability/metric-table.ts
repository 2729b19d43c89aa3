// Every metric the gateway exports, in /metrics order: name, TYPE, HELP, label sets, and the counter slot behind each series.
import { AUTH_REASON_NAMES, type AuthReasonName } from '../auth/types.js';

/**
 * How the supervisor combines one data-plane slot over workers: `sum` adds it up and keeps a retired worker's count
 * (totals never go down after a restart); `live` adds up live workers only (a gauge of present state); `max` takes
 * the live workers' maximum (a delay of one worker's loop).
 */
export type Combine = 'sum' | 'live' | 'max';

/** A series' label set as written after the name (`''` for none, `{class="2xx"}`); null: counted and in /status, not exported. */
type Labels = string | null;

/** A family whose series are slots of every worker's data-plane counters, in label order. */
export interface SlotFamily<S extends string = string> {
  readonly kind: 'slots';
  /** null: slots kept for /status only, no /metrics family. */
  readonly name: string | null;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly combine: Combine;
  readonly series: { readonly [K in S]: Labels };
}

export interface MetricsWorker {
  id: number;
  requests: number;
  restarts: number;
  generation: number;
}

/** What only the supervisor knows: workers, config generations, uptime, the admin listener's refusals. */
export interface SupervisorValues {
  workers: readonly MetricsWorker[];
  configGeneration: number;
  reloadsOk: number;
  reloadsFailed: number;
  uptimeSeconds: number;
  /** Admin listener refusals (src/admin/admin-guard.ts); absent when there is no admin listener. */
  admin?: { authFailures: number; refusedOrigin: number; refusedHost: number };
}

export type Sample = readonly [labels: string, value: number];

/** A family the supervisor fills; `samples` returns null to leave the family out. */
export interface SupervisorFamily {
  readonly kind: 'supervisor';
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly samples: (v: SupervisorValues) => readonly Sample[] | null;
}

function counter<const S extends Record<string, Labels>>(name: string, help: string, series: S): SlotFamily<keyof S & string> {
  return { kind: 'slots', name, type: 'counter', help, combine: 'sum', series };
}

function gauge<const S extends Record<string, Labels>>(
  name: string,
  help: string,
  series: S,
  combine: 'live' | 'max' = 'live',
): SlotFamily<keyof S & string> {
  return { kind: 'slots', name, type: 'gauge', help, combine, series };
}

function supervisor(type: 'counter' | 'gauge', name: string, help: string, samples: SupervisorFamily['samples']): SupervisorFamily {
  return { kind: 'supervisor', name, type, help, samples };
}

export type AuthReasonSlot = `auth_allowed_${AuthReasonName}` | `auth_denied_${AuthReasonName}`;

/** The slot of each reason's allows and denies, indexed by AuthReason (the data plane tallies by index). */
export const AUTH_ALLOWED_SLOTS = AUTH_REASON_NAMES.map((n): AuthReasonSlot => `auth_allowed_${n}`);
export const AUTH_DENIED_SLOTS = AUTH_REASON_NAMES.map((n): AuthReasonSlot => `auth_denied_${n}`);

/**
 * Every reason a decision can have, allowed and denied: allowed is exported for `ok` and `anonymous`; denied for any
 * other reason, or `anonymous` when the configured anonymous consumer does not exist (500). Fixed series, so
 * dashboards see zeros rather than gaps.
 */
function authSeries(): Record<AuthReasonSlot, Labels> {
  const series = {} as Record<AuthReasonSlot, Labels>;
  AUTH_REASON_NAMES.forEach((name, r) => {
    series[AUTH_ALLOWED_SLOTS[r]!] = name === 'ok' || name === 'anonymous' ? `{result="allowed",reason="${name}"}` : null;
    series[AUTH_DENIED_SLOTS[r]!] = name === 'ok' ? null : `{result="denied",reason="${name}"}`;
  });
  return series;
}

const decision = (result: string, reason: string): string => `{result="${result}",reason="${reason}"}`;

/** portcullis_authorizer_decisions_total: one slot per {result, reason} of the external authorizer's answers. */
export const AUTHORIZER_DECISIONS = counter('portcullis_authorizer_decisions_total', 'External-authorizer answers, by result and reason.', {
  authzAllowedCredential: decision('allowed', 'credential'),
  authzAllowedAnonymous: decision('allowed', 'anonymous'),
  authzAllowedNoPlugin: decision('allowed', 'no_jwt_plugin'),
  authzAllowedPreflight: decision('allowed', 'preflight'),
  authzDeniedNoToken: decision('denied', 'no_token'),
  authzDeniedInvalidToken: decision('denied', 'invalid_token'),
  authzDeniedClaims: decision('denied', 'claims'),
  authzDeniedForbidden: decision('denied', 'forbidden'),
  authzErrorQueueFull: decision('error', 'queue_full'),
  authzErrorInternal: decision('error', 'internal'),
  authzNotFound: decision('not_found', 'no_route'),
  authzBadRequest: decision('bad_request', 'malformed'),
});

/** The one list: adding a metric is one entry here, plus the line that counts it. */
export const METRIC_TABLE = [
  counter('portcullis_requests_total', 'Requests received by the proxy listener.', { requests: '' }),
  counter('portcullis_responses_total', 'Responses sent, by status class.', {
    responses2xx: '{class="2xx"}',
    responses3xx: '{class="3xx"}',
    responses4xx: '{class="4xx"}',
    responses5xx: '{class="5xx"}',
  }),
  counter('portcullis_auth_total', 'JWT authentication decisions, by result and reason.', authSeries()),
  {
    kind: 'slots',
    name: null,
    type: 'counter',
    help: 'jwt-stage allows and denies (/status only)',
    combine: 'sum',
    series: { authAllowed: null, authDenied: null },
  } satisfies SlotFamily<'authAllowed' | 'authDenied'>,
  counter('portcullis_upstream_errors_total', 'Upstream connect errors, resets and timeouts.', { upstreamErrors: '' }),
  gauge('portcullis_in_flight_requests', 'Requests currently being served.', { inFlight: '' }),
  counter('portcullis_token_cache_hits_total', 'Verified-token cache hits.', { tokenCacheHits: '' }),
  counter('portcullis_token_cache_misses_total', 'Verified-token cache misses.', { tokenCacheMisses: '' }),
  counter('portcullis_token_cache_evictions_total', 'Verified-token cache evictions.', { tokenCacheEvictions: '' }),
  gauge('portcullis_token_cache_entries', 'Entries in the verified-token caches.', { tokenCacheEntries: '' }),
  counter('portcullis_verify_queue_full_total', 'Requests answered 503 because the asymmetric verification queue was full.', {
    verifyQueueFull: '',
  }),
  counter('portcullis_verify_offloaded_total', 'Asymmetric verifications run off the event loop (libuv or pool).', { verifyOffloaded: '' }),
  gauge('portcullis_verify_pending', 'Asymmetric verifications queued or in flight.', { verifyPending: '' }),
  gauge('portcullis_jwks_sources', 'JWKS URIs in use, per worker thread summed; ready = loaded once or wait ended.', {
    jwksSources: '{state="configured"}',
    jwksSourcesReady: '{state="ready"}',
  }),
  counter('portcullis_jwks_fetches_total', 'JWKS fetches.', { jwksFetches: '{result="any"}', jwksFetchErrors: '{result="error"}' }),
  gauge(
    'portcullis_event_loop_delay_microseconds',
    'Worker event-loop delay since the previous read (max over workers).',
    { loopDelayP99Us: '{quantile="0.99"}', loopDelayMaxUs: '{quantile="1"}' },
    'max',
  ),
  counter('portcullis_jwks_refetches_suppressed_total', 'Unknown-kid JWKS refetches refused by the rate limit.', {
    jwksRefetchesSuppressed: '',
  }),
  AUTHORIZER_DECISIONS,
  supervisor('counter', 'portcullis_worker_requests_total', 'Requests received, per live worker thread.', (v) =>
    v.workers.map((w) => [`{worker="${w.id}"}`, w.requests]),
  ),
  supervisor('counter', 'portcullis_worker_restarts_total', 'Times a worker thread was restarted after it died.', (v) =>
    v.workers.map((w) => [`{worker="${w.id}"}`, w.restarts]),
  ),
  supervisor('gauge', 'portcullis_workers', 'Worker threads currently serving.', (v) => [['', v.workers.length]]),
  supervisor('gauge', 'portcullis_config_generation', 'Generation of the active configuration.', (v) => [['', v.configGeneration]]),
  supervisor('counter', 'portcullis_config_reloads_total', 'Configuration reloads, by result.', (v) => [
    ['{result="ok"}', v.reloadsOk],
    ['{result="rejected"}', v.reloadsFailed],
  ]),
  supervisor('gauge', 'portcullis_uptime_seconds', 'Seconds since the gateway started.', (v) => [['', Math.round(v.uptimeSeconds)]]),
  supervisor(
    'counter',
    'portcullis_admin_auth_failures_total',
    'Admin requests refused with 401: Kong-Admin-Token missing or wrong.',
    (v) => (v.admin ? [['', v.admin.authFailures]] : null),
  ),
  supervisor(
    'counter',
    'portcullis_admin_requests_refused_total',
    'Admin requests refused with 403: cross-site (origin) or foreign Host (host).',
    (v) =>
      v.admin
        ? [
            ['{reason="origin"}', v.admin.refusedOrigin],
            ['{reason="host"}', v.admin.refusedHost],
          ]
        : null,
  ),
] as const;

type SlotsOf<F> = F extends SlotFamily<infer S> ? S : never;

/** The name of every data-plane counter slot, taken from the table. */
export type CounterSlot = SlotsOf<(typeof METRIC_TABLE)[number]>;

/** The slot families, in table order (the counters object's key order). */
export const SLOT_FAMILIES: readonly SlotFamily[] = METRIC_TABLE.filter(
  (f): f is Extract<(typeof METRIC_TABLE)[number], SlotFamily> => f.kind === 'slots',
);
