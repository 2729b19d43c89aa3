// Validates the replica settings (watched config, read-only Admin API, status listener, drain delay) and fills in their defaults.
import type { GatewaySettings, ListenAddress } from './types.js';
import { has, type Obj, type Reader } from './validate-context.js';

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

export type ReplicaSettings = Required<Pick<GatewaySettings, 'watch_config' | 'admin_writes' | 'admin_config_endpoint'
  | 'status_listen' | 'drain_delay_ms'>>;

/** The settings with defaults for the fields a gateway section leaves out. */
export function resolveReplicaSettings(gateway: Partial<GatewaySettings>): ReplicaSettings {
  return {
    watch_config: gateway.watch_config ?? REPLICA_DEFAULTS.watch_config,
    admin_writes: gateway.admin_writes ?? REPLICA_DEFAULTS.admin_writes,
    admin_config_endpoint: gateway.admin_config_endpoint ?? REPLICA_DEFAULTS.admin_config_endpoint,
    status_listen: gateway.status_listen ?? REPLICA_DEFAULTS.status_listen,
    drain_delay_ms: gateway.drain_delay_ms ?? REPLICA_DEFAULTS.drain_delay_ms,
  };
}

/**
 * Reads the boolean and numeric replica fields; only the fields the file sets are returned (so a plain config's
 * validated form is unchanged). `status_listen` is parsed by validate-gateway's listen parser, like the other listeners.
 */
export function readReplicaSettings(r: Reader, obj: Obj): Partial<ReplicaSettings> {
  const D = REPLICA_DEFAULTS;
  const out: Partial<ReplicaSettings> = {};
  if (has(obj, 'watch_config')) out.watch_config = r.bool('watch_config', D.watch_config);
  if (has(obj, 'admin_writes')) out.admin_writes = r.bool('admin_writes', D.admin_writes);
  if (has(obj, 'admin_config_endpoint')) out.admin_config_endpoint = r.bool('admin_config_endpoint', D.admin_config_endpoint);
  if (has(obj, 'drain_delay_ms')) out.drain_delay_ms = r.int('drain_delay_ms', D.drain_delay_ms, ...DRAIN_DELAY_LIMITS);
  return out;
}
