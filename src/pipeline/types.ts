// The contract of one data plane (one per worker thread): listen, swap config generations, drain, report.
import type { CompiledConfig, HttpEngine } from '../config/types.js';
import type { AuthReasonName } from '../auth/types.js';

/** portcullis_auth_total{result,reason}: one counter per result and reason, e.g. `auth_denied_expired`. */
export type AuthReasonCounters = { [K in AuthReasonName as `auth_allowed_${K}` | `auth_denied_${K}`]: number };

export interface DataPlaneCounters extends AuthReasonCounters {
  requests: number;
  responses2xx: number;
  responses3xx: number;
  responses4xx: number;
  responses5xx: number;
  authAllowed: number;
  authDenied: number;
  upstreamErrors: number;
  inFlight: number;
  tokenCacheHits: number;
  tokenCacheMisses: number;
  tokenCacheEvictions: number;
  tokenCacheEntries: number;
  /** Requests answered 503 because the asymmetric verification queue was full. */
  verifyQueueFull: number;
  /** Asymmetric verifications handed to the libuv thread pool or the piscina pool (0 with asymmetric_verify=inline). */
  verifyOffloaded: number;
  /** Gauge: asymmetric verifications queued or in flight. */
  verifyPending: number;
  /** Gauges: JWKS URIs in use, and how many have loaded once (or ended their bounded wait). */
  jwksSources: number;
  jwksSourcesReady: number;
  jwksFetches: number;
  jwksFetchErrors: number;
  /** Unknown-kid refetches refused by the rate limit (e.g. a kid spray). */
  jwksRefetchesSuppressed: number;
  /** Gauges: event-loop delay p99 and max (µs) since the previous counters read (about a second); the max over workers. */
  loopDelayP99Us: number;
  loopDelayMaxUs: number;
}

export interface DataPlaneInfo {
  /** For /status: 'uws-native', 'node', or 'uws-native+node' when listeners differ. */
  httpEngine: string;
  /** The engine serving each proxy_listen entry, in order ('uws' is always the native binary). */
  httpEngines: HttpEngine[];
  /** Whether the uWebSockets.js binary loaded; null when no listener asked for uWS. false: node serves instead. */
  uwsNative: boolean | null;
  hmacEngine: 'native' | 'node:crypto';
}

export interface DataPlane {
  readonly info: DataPlaneInfo;
  /** Starts listening on every config.gateway.proxy_listen entry (port 0 = ephemeral); resolves with the first bound port. */
  listen(): Promise<number>;
  /** The bound port of each proxy_listen entry, in order (filled by listen()). */
  readonly ports: readonly number[];
  /** Swaps to a new config generation; requests already in flight finish on the one they started with. */
  reload(config: CompiledConfig): void;
  /** Stops accepting, waits for in-flight requests up to timeoutMs, then closes everything. */
  close(timeoutMs: number): Promise<void>;
  counters(): DataPlaneCounters;
  readonly generation: number;
}
