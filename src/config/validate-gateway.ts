// Validates the `gateway` section (Portcullis' kong.conf equivalent) and fills in its defaults.
import { availableParallelism } from 'node:os';
import type { GatewaySettings, ListenAddress } from './types.js';
import { FIELDS, GATEWAY_DEFAULTS, GATEWAY_LIMITS, LOG_LEVELS } from './fields.js';
import { checkFields, childPath, createReader, has, isObject, type Sink } from './validate-context.js';
import { readVerifySettings } from './validate-verify.js';
import { readAdminSecurity } from './validate-admin.js';
import { readReplicaSettings, STATUS_LISTEN_EXAMPLE } from './validate-replica.js';

/** Parses `host:port` / `[v6]:port`; null when malformed. Port 0 means an ephemeral port. */
function parseListen(value: string): ListenAddress | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(value);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

function listen(sink: Sink, raw: unknown, path: string, fallback: string, allowOff: boolean): ListenAddress | null {
  const value = raw === undefined ? fallback : raw;
  if (typeof value !== 'string') {
    sink.error(path, 'expected a string');
    return parseListen(fallback);
  }
  if (allowOff && value === 'off') return null;
  const parsed = parseListen(value);
  if (!parsed) {
    sink.error(path, `expected 'host:port' (e.g. '${fallback}')${allowOff ? " or 'off'" : ''}`);
    return parseListen(fallback);
  }
  return parsed;
}

export function validateGateway(sink: Sink, raw: unknown, path: string): GatewaySettings {
  const obj = raw === undefined || raw === null ? {} : raw;
  if (!isObject(obj)) {
    sink.error(path, 'expected a record');
    return validateGateway(sink, {}, path);
  }
  checkFields(sink, obj, path, FIELDS.gateway);
  const r = createReader(sink, obj, path);
  const L = GATEWAY_LIMITS;

  let workers: number = availableParallelism();
  if (has(obj, 'workers') && obj.workers !== 'auto') {
    const w = obj.workers;
    if (typeof w !== 'number' || !Number.isInteger(w)) sink.error(childPath(path, 'workers'), "expected 'auto' or an integer");
    else if (w < L.workers[0] || w > L.workers[1]) {
      sink.error(childPath(path, 'workers'), `value should be between ${L.workers[0]} and ${L.workers[1]}`);
    } else workers = w;
  }

  const tcPath = childPath(path, 'token_cache');
  let tcObj: Record<string, unknown> = {};
  if (has(obj, 'token_cache')) {
    if (isObject(obj.token_cache)) {
      tcObj = obj.token_cache;
      checkFields(sink, tcObj, tcPath, FIELDS.token_cache);
    } else sink.error(tcPath, 'expected a record');
  }
  const tc = createReader(sink, tcObj, tcPath);
  const tcd = GATEWAY_DEFAULTS.token_cache;

  return {
    ...readAdminSecurity(sink, r, obj),
    proxy_listen: listen(sink, obj.proxy_listen, childPath(path, 'proxy_listen'), GATEWAY_DEFAULTS.proxy_listen, false)!,
    admin_listen: listen(sink, obj.admin_listen, childPath(path, 'admin_listen'), GATEWAY_DEFAULTS.admin_listen, true),
    workers,
    max_header_bytes: r.int('max_header_bytes', GATEWAY_DEFAULTS.max_header_bytes, ...L.max_header_bytes),
    max_body_bytes: r.int('max_body_bytes', GATEWAY_DEFAULTS.max_body_bytes, ...L.max_body_bytes),
    log_level: r.oneOf('log_level', LOG_LEVELS, GATEWAY_DEFAULTS.log_level),
    drain_timeout_ms: r.int('drain_timeout_ms', GATEWAY_DEFAULTS.drain_timeout_ms, ...L.drain_timeout_ms),
    discard_body_max_bytes: r.int('discard_body_max_bytes', GATEWAY_DEFAULTS.discard_body_max_bytes, ...L.discard_body_max_bytes),
    lingering_time_ms: r.int('lingering_time_ms', GATEWAY_DEFAULTS.lingering_time_ms, ...L.lingering_time_ms),
    lingering_timeout_ms: r.int('lingering_timeout_ms', GATEWAY_DEFAULTS.lingering_timeout_ms, ...L.lingering_timeout_ms),
    ...readVerifySettings(sink, r, obj),
    ...readReplicaSettings(r, obj),
    ...(has(obj, 'status_listen')
      ? { status_listen: listen(sink, obj.status_listen, childPath(path, 'status_listen'), STATUS_LISTEN_EXAMPLE, true) }
      : {}),
    token_cache: {
      enabled: tc.bool('enabled', tcd.enabled),
      max_entries: tc.int('max_entries', tcd.max_entries, ...L.max_entries),
      max_bytes: tc.int('max_bytes', tcd.max_bytes, ...L.max_bytes),
      max_token_bytes: tc.int('max_token_bytes', tcd.max_token_bytes, ...L.max_token_bytes),
    },
  };
}
