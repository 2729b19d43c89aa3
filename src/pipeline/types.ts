// The contract of one data plane (one per worker thread): listen, swap config generations, drain, report.
import type { CompiledConfig, HttpEngine } from '../config/types.js';
import type { DataPlaneCounters } from '../observability/counters.js';

/** One worker's counters: one numeric slot per series of observability/metric-table.ts. */
export type { DataPlaneCounters };

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
  /** The bound authorizer port once listen() resolved, null when authorizer_listen is off. */
  readonly authorizerPort: number | null;
  /** Swaps to a new config generation; requests already in flight finish on the one they started with. */
  reload(config: CompiledConfig): void;
  /** Stops accepting, waits for in-flight requests up to timeoutMs, then closes everything. */
  close(timeoutMs: number): Promise<void>;
  counters(): DataPlaneCounters;
  readonly generation: number;
}
