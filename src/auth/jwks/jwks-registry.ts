// The JWKS caches of one thread, by URI: kept across config generations, closed when no credential uses them.
import { fetchJwks, OIDC_PREFIX, oidcJwksFetch, type JwksFetch } from './jwks-fetcher.js';
import { createJwksCache, DEFAULT_JWKS_SETTINGS, type JwksCache, type JwksEvent, type JwksSettings } from './jwks-cache.js';

export interface JwksRegistryStats {
  sources: number;
  sourcesReady: number;
  fetches: number;
  fetchErrors: number;
  unknownKidRefetches: number;
  refetchesSuppressed: number;
  keysSkipped: number;
}

export interface JwksRegistry {
  /** Counts key-set changes of every cache (not first loads): a verified-token cache compares it to forget old verifications. */
  readonly changes: number;
  /** The cache for `uri`, created (and its first fetch started) on first use; `oidc:<issuer>` discovers its JWKS first. */
  acquire(uri: string): JwksCache;
  /** Closes caches whose URI is not in `uris` (after a reload). */
  retain(uris: ReadonlySet<string>): void;
  updateSettings(settings: JwksSettings): void;
  whenReady(): Promise<void>;
  stats(): JwksRegistryStats;
  close(): void;
}

export interface JwksRegistryOptions {
  settings?: JwksSettings;
  fetch?: JwksFetch;
  now?: () => number;
  onEvent?: (event: JwksEvent) => void;
  timers?: boolean;
}

type Counts = Pick<JwksRegistryStats, 'fetches' | 'fetchErrors' | 'unknownKidRefetches' | 'refetchesSuppressed' | 'keysSkipped'>;

function addCounts(into: Counts, from: Counts): void {
  into.fetches += from.fetches;
  into.fetchErrors += from.fetchErrors;
  into.unknownKidRefetches += from.unknownKidRefetches;
  into.refetchesSuppressed += from.refetchesSuppressed;
  into.keysSkipped += from.keysSkipped;
}

export function createJwksRegistry(options: JwksRegistryOptions = {}): JwksRegistry {
  let settings = options.settings ?? DEFAULT_JWKS_SETTINGS;
  const caches = new Map<string, JwksCache>();
  let changes = 0;
  const onEvent = (e: JwksEvent): void => {
    if (e.type === 'changed') changes++;
    options.onEvent?.(e);
  };
  // Counters of closed caches, so totals never go backwards.
  const retired: Counts = { fetches: 0, fetchErrors: 0, unknownKidRefetches: 0, refetchesSuppressed: 0, keysSkipped: 0 };

  return {
    get changes() {
      return changes;
    },
    acquire(uri) {
      let c = caches.get(uri);
      if (c === undefined) {
        const fetch = uri.startsWith(OIDC_PREFIX)
          ? oidcJwksFetch(uri.slice(OIDC_PREFIX.length), options.fetch ?? fetchJwks)
          : options.fetch;
        c = createJwksCache(uri, { settings: () => settings, fetch, now: options.now, onEvent, timers: options.timers });
        caches.set(uri, c);
      }
      return c;
    },
    retain(uris) {
      for (const [uri, c] of caches) {
        if (uris.has(uri)) continue;
        addCounts(retired, c.stats());
        c.close();
        caches.delete(uri);
      }
    },
    updateSettings(next) {
      settings = next;
    },
    async whenReady() {
      await Promise.all([...caches.values()].map((c) => c.whenReady()));
    },
    stats() {
      const out: JwksRegistryStats = { sources: caches.size, sourcesReady: 0, ...retired };
      for (const c of caches.values()) {
        const s = c.stats();
        if (s.ready) out.sourcesReady++;
        addCounts(out, s);
      }
      return out;
    },
    close() {
      for (const c of caches.values()) c.close();
      caches.clear();
    },
  };
}
