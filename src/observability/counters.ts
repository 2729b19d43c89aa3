// Sums the data-plane counters of all workers, keeping the totals of retired (crashed/restarted) workers monotonic.
import type { AuthReasonCounters, DataPlaneCounters } from '../pipeline/types.js';
import { AUTH_REASON_NAMES, type AuthReason } from '../auth/types.js';

/** Counter names per reason code, so the data plane copies its per-reason tallies without building names. */
export const AUTH_ALLOWED_COUNTERS = AUTH_REASON_NAMES.map((n) => `auth_allowed_${n}` as keyof AuthReasonCounters);
export const AUTH_DENIED_COUNTERS = AUTH_REASON_NAMES.map((n) => `auth_denied_${n}` as keyof AuthReasonCounters);

/** Per-reason tallies of one data plane: index `2 * reason` allowed, `2 * reason + 1` denied. */
export function authTallies(): Float64Array {
  return new Float64Array(2 * AUTH_REASON_NAMES.length);
}

/** Copies the tallies into the counters' `auth_*` fields. */
export function copyAuthTallies(tallies: Float64Array, into: DataPlaneCounters): void {
  for (let r = 0; r < AUTH_REASON_NAMES.length; r++) {
    into[AUTH_ALLOWED_COUNTERS[r]!] = tallies[2 * r]!;
    into[AUTH_DENIED_COUNTERS[r]!] = tallies[2 * r + 1]!;
  }
}

/** Counts one decision: denied when the request was refused. */
export function tallyAuth(tallies: Float64Array, reason: AuthReason, denied: boolean): void {
  tallies[2 * reason + (denied ? 1 : 0)]!++;
}

/** Gauges describe the present state of a live worker; a retired worker's gauges are dropped, not kept. */
const GAUGES: ReadonlySet<keyof DataPlaneCounters> = new Set([
  'inFlight',
  'tokenCacheEntries',
  'verifyPending',
  'jwksSources',
  'jwksSourcesReady',
  'loopDelayP99Us',
  'loopDelayMaxUs',
]);
/** Gauges combined by maximum, not sum (a delay of one worker's loop). */
const MAX_GAUGES: ReadonlySet<keyof DataPlaneCounters> = new Set(['loopDelayP99Us', 'loopDelayMaxUs']);

function emptyAuthCounters(): AuthReasonCounters {
  const c = {} as AuthReasonCounters;
  for (const name of AUTH_ALLOWED_COUNTERS) c[name] = 0;
  for (const name of AUTH_DENIED_COUNTERS) c[name] = 0;
  return c;
}

export function emptyCounters(): DataPlaneCounters {
  return {
    ...emptyAuthCounters(),
    requests: 0,
    responses2xx: 0,
    responses3xx: 0,
    responses4xx: 0,
    responses5xx: 0,
    authAllowed: 0,
    authDenied: 0,
    upstreamErrors: 0,
    inFlight: 0,
    tokenCacheHits: 0,
    tokenCacheMisses: 0,
    tokenCacheEvictions: 0,
    tokenCacheEntries: 0,
    verifyQueueFull: 0,
    verifyOffloaded: 0,
    verifyPending: 0,
    jwksSources: 0,
    jwksSourcesReady: 0,
    jwksFetches: 0,
    jwksFetchErrors: 0,
    jwksRefetchesSuppressed: 0,
    loopDelayP99Us: 0,
    loopDelayMaxUs: 0,
    authzAllowedCredential: 0,
    authzAllowedAnonymous: 0,
    authzAllowedNoPlugin: 0,
    authzAllowedPreflight: 0,
    authzDeniedNoToken: 0,
    authzDeniedInvalidToken: 0,
    authzDeniedClaims: 0,
    authzDeniedForbidden: 0,
    authzErrorQueueFull: 0,
    authzErrorInternal: 0,
    authzNotFound: 0,
    authzBadRequest: 0,
  };
}

const COUNTER_NAMES = Object.keys(emptyCounters()) as (keyof DataPlaneCounters)[];

function addCounters(into: DataPlaneCounters, from: DataPlaneCounters, includeGauges = true): void {
  for (const name of COUNTER_NAMES) {
    if (!includeGauges && GAUGES.has(name)) continue;
    if (MAX_GAUGES.has(name)) into[name] = Math.max(into[name], from[name]);
    else into[name] += from[name];
  }
}

export interface CounterAggregator {
  /** Records the latest counters a live worker reported. */
  update(workerId: number, counters: DataPlaneCounters): void;
  /** The worker ended: fold its last counters into the retired totals (gauges dropped). */
  retire(workerId: number): void;
  latest(workerId: number): DataPlaneCounters | undefined;
  /** Totals over live workers plus everything retired workers counted. */
  total(): DataPlaneCounters;
}

export function createCounterAggregator(): CounterAggregator {
  const live = new Map<number, DataPlaneCounters>();
  const retired = emptyCounters();
  return {
    update(workerId, counters) {
      live.set(workerId, counters);
    },
    retire(workerId) {
      const last = live.get(workerId);
      if (last) addCounters(retired, last, false);
      live.delete(workerId);
    },
    latest(workerId) {
      return live.get(workerId);
    },
    total() {
      const sum = emptyCounters();
      addCounters(sum, retired);
      for (const c of live.values()) addCounters(sum, c);
      return sum;
    },
  };
}
