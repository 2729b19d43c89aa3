// Validates the `gateway` section (Portcullis' kong.conf equivalent) and fills in its defaults.
import { availableParallelism } from 'node:os';
import type { GatewaySettings, ListenAddress, ListenerSpec } from './types.js';
import { AUTHORIZER_SOURCES, FIELDS, GATEWAY_DEFAULTS, GATEWAY_LIMITS, LOG_LEVELS } from './fields.js';
import { checkFields, childPath, createReader, has, isObject, type Reader, type Sink } from './validate-context.js';
import { readVerifySettings } from './validate-verify.js';
import { HTTP_ENGINES, listenerEngine, parseListeners } from './listen-spec.js';
import { readGatewayCertificates } from './validate-tls.js';
import { readAdminSecurity } from './validate-admin.js';
import { readReplicaSettings, STATUS_LISTEN_EXAMPLE } from './validate-replica.js';

/**
 * status_listen: one plain address or 'off', parsed like admin_listen (same flag rules: no ssl, the rest have no
 * effect). Probes and scrapers need a single known port, so a list of several is refused.
 */
function statusListen(sink: Sink, raw: unknown, path: string): ListenAddress | null {
  const specs = parseListeners(sink, raw, path, STATUS_LISTEN_EXAMPLE, true);
  if (specs === null) return null;
  if (specs.length > 1) sink.error(path, `expected one address (e.g. '${STATUS_LISTEN_EXAMPLE}') or 'off'`);
  const spec = specs[0]!;
  if (spec.ssl) sink.error(path, "flag 'ssl' is not supported on status_listen; probes use plain HTTP");
  if (spec.http2 || spec.engine !== null || spec.backlog !== null) {
    sink.warn(path, 'flags http2, engine= and backlog= have no effect on status_listen (Node http/1.1)');
  }
  return { host: spec.host, port: spec.port };
}

/** Envoy's path_prefix: a path (`/authz`), no query, no trailing slash; '' for none. */
const PATH_PREFIX = /^(\/[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)+$/;

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

/** Two listeners that would bind the same socket (a fixed port on the same or a wildcard host). */
function clash(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port === 0 || a.port !== b.port) return false;
  return a.host === b.host || WILDCARD_HOSTS.has(a.host) || WILDCARD_HOSTS.has(b.host);
}

type ListenerFields = Pick<GatewaySettings, 'proxy_listen' | 'admin_listen' | 'status_listen' | 'authorizer_listen'>;

/**
 * Every pair of listeners, across proxy, admin, status and authorizer, that would bind the same socket:
 * `check` reports it (with the later one's path) instead of `start` failing with EADDRINUSE.
 */
function reportListenerClashes(sink: Sink, path: string, listeners: ListenerFields): void {
  const named: { field: string; address: ListenAddress }[] = [
    ...listeners.proxy_listen.map((address) => ({ field: 'proxy_listen', address })),
    ...(listeners.admin_listen ?? []).map((address) => ({ field: 'admin_listen', address })),
    ...(listeners.status_listen ? [{ field: 'status_listen', address: listeners.status_listen }] : []),
    ...(listeners.authorizer_listen ? [{ field: 'authorizer_listen', address: listeners.authorizer_listen }] : []),
  ];
  named.forEach((later, i) => {
    const earlier = named.slice(0, i).find((e) => clash(e.address, later.address));
    if (earlier === undefined) return;
    const where = (a: ListenAddress) => `${a.host}:${a.port}`;
    sink.error(
      childPath(path, later.field),
      `${where(later.address)} uses the same port as ${earlier.field} ${where(earlier.address)}; each listener needs its own port`,
    );
  });
}

/**
 * authorizer_listen: one `host:port` (Kong's listener syntax) or `off`. Only `engine=uws|node` applies: the
 * authorizer answers plain HTTP/1 subrequests from a front proxy next to it, so TLS, HTTP/2 and socket flags are refused.
 */
function readAuthorizerListen(sink: Sink, raw: unknown, at: string): ListenerSpec | null {
  if (raw === undefined || raw === null || raw === 'off') return null;
  const specs = parseListeners(sink, raw, at, '127.0.0.1:8003', true);
  if (specs === null) return null;
  if (specs.length !== 1) {
    sink.error(at, "expected one address (e.g. '127.0.0.1:8003') or 'off'");
    return null;
  }
  const spec = specs[0]!;
  const refused = spec.flags.filter((flag) => !flag.startsWith('engine='));
  if (refused.length > 0) {
    sink.error(at, `flag(s) ${refused.map((f) => `'${f}'`).join(', ')} not supported on authorizer_listen (only engine=uws|node)`);
    return null;
  }
  return spec;
}

type AuthorizerSettings = Pick<GatewaySettings, 'authorizer_listen' | 'authorizer_path_prefix' | 'authorizer_source'>;

/** External-authorizer fields, defaulted (off, no prefix, source auto). */
function readAuthorizer(sink: Sink, r: Reader, obj: Record<string, unknown>, path: string): AuthorizerSettings {
  const out: AuthorizerSettings = { authorizer_listen: null, authorizer_path_prefix: '', authorizer_source: 'auto' };
  out.authorizer_listen = readAuthorizerListen(sink, obj.authorizer_listen, childPath(path, 'authorizer_listen'));
  const prefix = r.str('authorizer_path_prefix', '');
  if (prefix !== '' && !PATH_PREFIX.test(prefix)) {
    sink.error(childPath(path, 'authorizer_path_prefix'), "expected a path such as '/authz' (no query, no trailing '/'), or ''");
  } else out.authorizer_path_prefix = prefix;
  out.authorizer_source = r.oneOf('authorizer_source', AUTHORIZER_SOURCES, 'auto');
  return out;
}

/** `access_log`: false/"off" = off, true/"stdout" = standard output, any other string = a file path. */
function readAccessLog(sink: Sink, raw: unknown, path: string): string | null {
  if (raw === undefined || raw === null || raw === false || raw === 'off') return null;
  if (raw === true || raw === 'stdout') return 'stdout';
  if (typeof raw !== 'string' || raw.length === 0 || raw.includes('\0')) {
    sink.error(path, "expected true, false, 'stdout', 'off' or a file path");
    return null;
  }
  return raw;
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

  const proxyListen = parseListeners(sink, obj.proxy_listen, childPath(path, 'proxy_listen'), GATEWAY_DEFAULTS.proxy_listen, false)!;
  const httpEngine = r.oneOf('http_engine', HTTP_ENGINES, GATEWAY_DEFAULTS.http_engine);
  for (const spec of proxyListen) {
    if (spec.backlog !== null && listenerEngine(spec, httpEngine) === 'uws') {
      sink.warn(
        childPath(path, 'proxy_listen'),
        `backlog=${spec.backlog} is applied by the node engine only; uWS keeps its built-in backlog`,
      );
    }
  }
  const adminListen = parseListeners(sink, obj.admin_listen, childPath(path, 'admin_listen'), GATEWAY_DEFAULTS.admin_listen, true);
  for (const spec of adminListen ?? []) {
    // A listener the operator believes is TLS must not serve plain HTTP.
    if (spec.ssl)
      sink.error(childPath(path, 'admin_listen'), "flag 'ssl' is not supported on admin_listen; serve the Admin API on loopback");
    if (spec.http2 || spec.engine !== null || spec.backlog !== null) {
      sink.warn(childPath(path, 'admin_listen'), 'flags http2, engine= and backlog= have no effect on admin_listen (Node http/1.1)');
    }
  }
  const certificates = readGatewayCertificates(sink, obj, path);
  if (proxyListen.some((spec) => spec.ssl) && certificates.ssl_cert === null && !has(obj, 'ssl_cert')) {
    // Kong generates a self-signed default; a gateway should not answer TLS with a certificate nobody chose.
    sink.error(childPath(path, 'ssl_cert'), "required when a proxy_listen entry has the 'ssl' flag (with 'ssl_cert_key')");
  }
  const accessLog = readAccessLog(sink, obj.access_log, childPath(path, 'access_log'));
  const authorizer = readAuthorizer(sink, r, obj, path);
  const replica = readReplicaSettings(r);
  const statusAddress = has(obj, 'status_listen') ? statusListen(sink, obj.status_listen, childPath(path, 'status_listen')) : null;
  reportListenerClashes(sink, path, {
    proxy_listen: proxyListen,
    admin_listen: adminListen,
    status_listen: statusAddress,
    authorizer_listen: authorizer.authorizer_listen,
  });
  return {
    access_log: accessLog,
    ...readAdminSecurity(sink, r, obj),
    proxy_listen: proxyListen,
    admin_listen: adminListen,
    http_engine: httpEngine,
    workers,
    max_header_bytes: r.int('max_header_bytes', GATEWAY_DEFAULTS.max_header_bytes, ...L.max_header_bytes),
    max_body_bytes: r.int('max_body_bytes', GATEWAY_DEFAULTS.max_body_bytes, ...L.max_body_bytes),
    log_level: r.oneOf('log_level', LOG_LEVELS, GATEWAY_DEFAULTS.log_level),
    drain_timeout_ms: r.int('drain_timeout_ms', GATEWAY_DEFAULTS.drain_timeout_ms, ...L.drain_timeout_ms),
    gc_semi_space_mb: r.int('gc_semi_space_mb', GATEWAY_DEFAULTS.gc_semi_space_mb, ...L.gc_semi_space_mb),
    discard_body_max_bytes: r.int('discard_body_max_bytes', GATEWAY_DEFAULTS.discard_body_max_bytes, ...L.discard_body_max_bytes),
    lingering_time_ms: r.int('lingering_time_ms', GATEWAY_DEFAULTS.lingering_time_ms, ...L.lingering_time_ms),
    lingering_timeout_ms: r.int('lingering_timeout_ms', GATEWAY_DEFAULTS.lingering_timeout_ms, ...L.lingering_timeout_ms),
    ...readVerifySettings(sink, r),
    ...certificates,
    ...authorizer,
    ...replica,
    status_listen: statusAddress,
    token_cache: {
      enabled: tc.bool('enabled', tcd.enabled),
      max_entries: tc.int('max_entries', tcd.max_entries, ...L.max_entries),
      max_bytes: tc.int('max_bytes', tcd.max_bytes, ...L.max_bytes),
      max_token_bytes: tc.int('max_token_bytes', tcd.max_token_bytes, ...L.max_token_bytes),
    },
  };
}
