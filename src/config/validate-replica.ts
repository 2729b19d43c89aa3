// Validates the replica settings (watched config, read-only Admin API, status listener, drain delay) and fills in their defaults.
import type { GatewaySettings, ListenAddress } from './types.js';
import type { Reader } from './validate-context.js';

export const REPLICA_DEFAULTS = {
  watch_config: false,
  admin_writes: true,
  admin_config_endpoint: false,
  status_listen: null as ListenAddress | null,
  drain_delay_ms: 0,
};

/** Shown in the error for a malformed `status_listen` (Kong's default status port). */
export const STATUS_LISTEN_EXAMPLE = '0.0.0.0:8100';

const DRAIN_DELAY_LIMITS = [0, 3600000] as const;

export type ReplicaSettings = Pick<GatewaySettings, 'watch_config' | 'admin_writes' | 'admin_config_endpoint' | 'drain_delay_ms'>;

/**
 * Reads the boolean and numeric replica fields, defaulted. `status_listen` is parsed by validate-gateway's listen
 * parser, like the other listeners.
 */
export function readReplicaSettings(r: Reader): ReplicaSettings {
  const D = REPLICA_DEFAULTS;
  return {
    watch_config: r.bool('watch_config', D.watch_config),
    admin_writes: r.bool('admin_writes', D.admin_writes),
    admin_config_endpoint: r.bool('admin_config_endpoint', D.admin_config_endpoint),
    drain_delay_ms: r.int('drain_delay_ms', D.drain_delay_ms, ...DRAIN_DELAY_LIMITS),
  };
}
