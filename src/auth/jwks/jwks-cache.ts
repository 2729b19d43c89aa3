// One JWKS per URI: cached per Cache-Control within bounds, unknown-kid refetch (single-flight, rate-limited), stale-if-error, readiness.
import type { KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from '../../config/types.js';
import { VERIFY_DEFAULTS, type VerifySettings } from '../../config/validate-verify.js';
import { fetchJwks as defaultFetch, JwksFetchError, type JwksFetch } from './jwks-fetcher.js';
import { indexByKid, parseJwks, selectKey, type JwkEntry } from './jwk-key.js';

export interface JwksSettings {
  cacheMinSeconds: number;
  cacheMaxSeconds: number;
  refetchIntervalSeconds: number;
  fetchTimeoutMs: number;
  maxBytes: number;
  readyTimeoutMs: number;
}

/** The cache's settings from a (validated, so total) gateway section. */
export function jwksSettingsOf(s: VerifySettings): JwksSettings {
  return {
    cacheMinSeconds: s.jwks_cache_min_seconds,
    cacheMaxSeconds: s.jwks_cache_max_seconds,
    refetchIntervalSeconds: s.jwks_refetch_interval_seconds,
    fetchTimeoutMs: s.jwks_fetch_timeout_ms,
    maxBytes: s.jwks_max_bytes,
    readyTimeoutMs: s.jwks_ready_timeout_ms,
  };
}

export const DEFAULT_JWKS_SETTINGS: JwksSettings = jwksSettingsOf(VERIFY_DEFAULTS);

export interface JwksEvent {
  type: 'loaded' | 'changed' | 'fetch-failed' | 'keys-skipped' | 'ready-timeout';
  uri: string;
  message: string;
}

/** What the authenticator asks for a token: a key now, a Promise while the one allowed refetch runs, null when none fits. */
export interface JwksKeySource {
  key(kid: string | undefined, alg: JwtAlgorithm): KeyObject | null | Promise<KeyObject | null>;
}

export interface JwksCacheStats {
  fetches: number;
  fetchErrors: number;
  /** Unknown-kid lookups that found a refetch in flight or started one. */
  unknownKidRefetches: number;
  /** Unknown-kid lookups refused a refetch by the rate limit (e.g. a kid spray). */
  refetchesSuppressed: number;
  keysSkipped: number;
  keys: number;
  loaded: boolean;
  ready: boolean;
  lastError: string | null;
}

export interface JwksCache extends JwksKeySource {
  readonly ready: boolean;
  /** Resolves once the first load succeeded or `readyTimeoutMs` passed. */
  whenReady(): Promise<void>;
  /** Starts a fetch now unless one is in flight; resolves when it ends (never rejects). */
  refresh(): Promise<void>;
  stats(): JwksCacheStats;
  close(): void;
}

export interface JwksCacheOptions {
  settings: () => JwksSettings;
  fetch?: JwksFetch;
  /** Milliseconds; default Date.now. */
  now?: () => number;
  onEvent?: (event: JwksEvent) => void;
  /** Retry the first load on a timer and end the ready wait on a timer (default true; tests drive by hand). */
  timers?: boolean;
}

export function createJwksCache(uri: string, options: JwksCacheOptions): JwksCache {
  const fetchDoc = options.fetch ?? defaultFetch;
  const now = options.now ?? Date.now;
  const emit = options.onEvent ?? (() => undefined);
  const useTimers = options.timers ?? true;
  let entries: readonly JwkEntry[] = [];
  let byKid: ReadonlyMap<string, JwkEntry> = new Map();
  let loaded = false;
  let readyTimedOut = false;
  // The last failure cannot cure itself (e.g. a discovery issuer mismatch): never report ready on the timeout.
  let blocked = false;
  let expiresAt = 0;
  let lastFetchStart = -Infinity;
  let inflight: Promise<void> | null = null;
  let closed = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let readyTimer: NodeJS.Timeout | null = null;
  const readyWaiters: Array<() => void> = [];
  const stats = {
    fetches: 0,
    fetchErrors: 0,
    unknownKidRefetches: 0,
    refetchesSuppressed: 0,
    keysSkipped: 0,
    lastError: null as string | null,
  };

  function markReady(): void {
    for (const w of readyWaiters.splice(0)) w();
  }
  function clamp(maxAge: number | null): number {
    const s = options.settings();
    return Math.min(Math.max(maxAge ?? s.cacheMaxSeconds, s.cacheMinSeconds), s.cacheMaxSeconds);
  }
  function sameKeys(next: readonly JwkEntry[]): boolean {
    if (next.length !== entries.length) return false;
    for (let i = 0; i < next.length; i++) {
      const a = next[i]!;
      const b = entries[i]!;
      if (a.kid !== b.kid || !a.key.equals(b.key)) return false;
    }
    return true;
  }
  function failed(reason: string, permanent = false): void {
    blocked = permanent;
    stats.fetchErrors++;
    stats.lastError = reason;
    const s = options.settings();
    // Stale-if-error: the last good keys keep serving; try again after the refetch interval (at least 1 s).
    expiresAt = now() + Math.max(s.refetchIntervalSeconds, 1) * 1000;
    emit({ type: 'fetch-failed', uri, message: `JWKS fetch failed for ${uri}: ${reason}${loaded ? '; serving the last good keys' : ''}` });
    if (!loaded && useTimers && !closed && retryTimer === null) {
      retryTimer = setTimeout(() => {
        retryTimer = null;
        if (!closed && !loaded) void refresh();
      }, Math.max(s.refetchIntervalSeconds, 1) * 1000);
      retryTimer.unref();
    }
  }
  function apply(doc: unknown, maxAge: number | null): void {
    const parsed = parseJwks(doc);
    if (typeof parsed === 'string') return failed(`malformed JWKS: ${parsed}`);
    if (parsed.problems.length > 0) {
      stats.keysSkipped += parsed.problems.length;
      emit({
        type: 'keys-skipped',
        uri,
        message: `JWKS ${uri}: ignored ${parsed.problems.length} unusable key(s): ${parsed.problems.join('; ')}`,
      });
    }
    if (parsed.entries.length === 0) return failed('malformed JWKS: no usable signing key');
    const changed = !sameKeys(parsed.entries);
    // Unchanged keys keep their KeyObjects, so a verify pool need not receive them again.
    if (changed) {
      entries = parsed.entries;
      byKid = indexByKid(parsed.entries);
    }
    expiresAt = now() + clamp(maxAge) * 1000;
    stats.lastError = null;
    blocked = false;
    if (!loaded) {
      loaded = true;
      if (readyTimer !== null) clearTimeout(readyTimer);
      emit({ type: 'loaded', uri, message: `JWKS ${uri} loaded: ${entries.length} key(s)` });
      markReady();
    } else if (changed) {
      emit({ type: 'changed', uri, message: `JWKS ${uri} changed: ${entries.length} key(s)` });
    }
  }
  function refresh(): Promise<void> {
    if (inflight !== null) return inflight;
    if (closed) return Promise.resolve();
    lastFetchStart = now();
    stats.fetches++;
    const s = options.settings();
    inflight = fetchDoc(uri, { timeoutMs: s.fetchTimeoutMs, maxBytes: s.maxBytes })
      .then(
        (f) => apply(f.doc, f.maxAge),
        (err: unknown) =>
          err instanceof JwksFetchError ? failed(err.reason, err.permanent) : failed(String((err as Error)?.message ?? err)),
      )
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  const afterFetch = (kid: string | undefined, alg: JwtAlgorithm) => (): KeyObject | null => selectKey(entries, byKid, kid, alg);

  const cache: JwksCache = {
    get ready() {
      return loaded || (readyTimedOut && !blocked);
    },
    key(kid, alg) {
      const t = now();
      if (
        t >= expiresAt &&
        inflight === null &&
        (loaded || t - lastFetchStart >= Math.max(options.settings().refetchIntervalSeconds, 1) * 1000)
      ) {
        void refresh();
      }
      const found = selectKey(entries, byKid, kid, alg);
      if (found !== null) return found;
      // A known kid whose key does not fit the algorithm: a refetch would not change that.
      if (kid !== undefined && byKid.has(kid)) return null;
      if (inflight !== null) {
        stats.unknownKidRefetches++;
        return inflight.then(afterFetch(kid, alg));
      }
      if (t - lastFetchStart >= options.settings().refetchIntervalSeconds * 1000) {
        stats.unknownKidRefetches++;
        return refresh().then(afterFetch(kid, alg));
      }
      stats.refetchesSuppressed++;
      return null;
    },
    whenReady() {
      if (loaded || readyTimedOut) return Promise.resolve();
      return new Promise((resolve) => readyWaiters.push(resolve));
    },
    refresh,
    stats: () => ({ ...stats, keys: entries.length, loaded, ready: loaded || (readyTimedOut && !blocked) }),
    close() {
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      if (readyTimer !== null) clearTimeout(readyTimer);
      markReady();
    },
  };

  void refresh();
  const readyMs = options.settings().readyTimeoutMs;
  if (useTimers && !loaded) {
    readyTimer = setTimeout(() => {
      readyTimer = null;
      if (loaded) return;
      readyTimedOut = true;
      emit({
        type: 'ready-timeout',
        uri,
        message: blocked
          ? `JWKS ${uri} not loaded after ${readyMs} ms and not ready until fixed: ${stats.lastError}`
          : `JWKS ${uri} not loaded after ${readyMs} ms; reporting ready anyway (tokens for it fail until it loads)`,
      });
      markReady();
    }, readyMs);
    readyTimer.unref();
  }
  return cache;
}

/** A JWKS given inline in the config: parsed once, never fetched. */
export function createStaticJwks(entries: readonly JwkEntry[]): JwksKeySource {
  const byKid = indexByKid(entries);
  return { key: (kid, alg) => selectKey(entries, byKid, kid, alg) };
}
