// Field-level validation of one entity at a time (service, route, plugin, consumer, jwt_secret): types, Kong's rules, defaults.
import { JWT_ALGORITHMS, type ConsumerEntity, type JwtSecretEntity, type RouteEntity, type ServiceEntity } from './types.js';
import { FIELDS, HTTPS_REDIRECT_CODES, SERVICE_DEFAULTS, SERVICE_PROTOCOLS, type ServiceProtocol } from './fields.js';
import { checkRouteMatchers, checkRouteProtocols, grpcStripPath, isGrpcRoute, snisAllowed } from './validate-protocols.js';
import { isUuid } from './ids.js';
import {
  checkFields,
  checkTimestamps,
  childPath,
  createReader,
  has,
  isObject,
  parseHttpUrl,
  type Obj,
  type Reader,
  type Sink,
} from './validate-context.js';
import {
  entityNameError,
  looksLikeLegacyRegex,
  regexErrorText,
  methodError,
  routeHostError,
  routePathError,
  serviceHostError,
  servicePathError,
  sniNameError,
} from './validate-routing.js';
import { keyFitError, parsePublicKey, requiresPublicKey } from './validate-keys.js';
import { readKeySource } from './validate-verify.js';
import { HEADER_UNSAFE } from '../proxy/header-value.js';

/** A reference to another entity by endpoint key or id, as written (`service: "orders"`). */
export interface RawRef {
  value: string;
  path: string;
}

/** Every entity's first checks: a record, known fields, timestamps; then a reader for its fields. */
function openEntity(sink: Sink, raw: unknown, path: string, fields: readonly string[]): { obj: Obj; r: Reader } | null {
  if (!isObject(raw)) {
    sink.error(path, 'expected a record');
    return null;
  }
  checkFields(sink, raw, path, fields);
  checkTimestamps(sink, raw, path);
  return { obj: raw, r: createReader(sink, raw, path) };
}

export function readId(sink: Sink, obj: Obj, path: string): string | null {
  if (!has(obj, 'id') || obj.id === null) return null;
  if (typeof obj.id !== 'string' || !isUuid(obj.id)) {
    sink.error(childPath(path, 'id'), 'expected a valid UUID');
    return null;
  }
  return obj.id.toLowerCase();
}

function readName(sink: Sink, r: Reader): string | null {
  const name = r.str('name', null, { nullable: true, nonEmpty: true });
  if (name !== null) {
    const err = entityNameError(name);
    if (err) sink.error(childPath(r.path, 'name'), err);
  }
  return name;
}

/** Reads a foreign reference field; `nested` marks a field implied by nesting, which must not be set. */
export function readRef(sink: Sink, obj: Obj, path: string, field: string, nested: boolean): RawRef | null {
  if (!has(obj, field) || obj[field] === null) return null;
  const p = childPath(path, field);
  if (nested) {
    sink.error(p, `must not be set on a nested entity (the ${field} is implied by nesting)`);
    return null;
  }
  const v = obj[field];
  if (isObject(v) && typeof v.id === 'string' && Object.keys(v).length === 1) return { value: v.id, path: p };
  if (typeof v !== 'string' || v.length === 0) {
    sink.error(p, 'expected a string');
    return null;
  }
  return { value: v, path: p };
}

export function validateService(sink: Sink, raw: unknown, path: string): ServiceEntity | null {
  const opened = openEntity(sink, raw, path, FIELDS.service);
  if (!opened) return null;
  const { obj, r } = opened;
  const id = readId(sink, obj, path);
  const name = readName(sink, r);
  let protocol: ServiceProtocol = 'http';
  let host = '';
  let port: number = SERVICE_DEFAULTS.http_port;
  let path_: string | null = null;

  if (has(obj, 'url') && obj.url !== null) {
    for (const f of ['protocol', 'host', 'port', 'path']) {
      if (has(obj, f)) sink.error(childPath(path, f), "cannot be set together with 'url'");
    }
    const parsed = parseServiceUrl(obj.url);
    if (typeof parsed === 'string') sink.error(childPath(path, 'url'), parsed);
    else ({ protocol, host, port, path: path_ } = parsed);
  } else {
    protocol = r.oneOf('protocol', SERVICE_PROTOCOLS, 'http');
    host = r.str('host', '', { nonEmpty: true });
    if (!has(obj, 'host') || obj.host === null) sink.error(childPath(path, 'host'), 'required field missing');
    else if (host !== '') {
      const err = serviceHostError(host);
      if (err) sink.error(childPath(path, 'host'), err);
      if (host.startsWith('[')) host = host.slice(1, -1);
    }
    const defPort = defaultPortOf(protocol);
    port = r.int('port', defPort, 0, 65535);
    path_ = r.str('path', null, { nullable: true, nonEmpty: true });
    if (path_ !== null) {
      const err = servicePathError(path_);
      if (err) sink.error(childPath(path, 'path'), err);
    }
  }
  // Kong: a gRPC service has no path (the gRPC method is the request path).
  if ((protocol === 'grpc' || protocol === 'grpcs') && path_ !== null) sink.error(childPath(path, 'path'), 'value must be null');
  return {
    id: id ?? '',
    name,
    protocol,
    host,
    port,
    path: path_,
    connect_timeout: r.int('connect_timeout', SERVICE_DEFAULTS.timeout, 1, 2147483646),
    read_timeout: r.int('read_timeout', SERVICE_DEFAULTS.timeout, 1, 2147483646),
    write_timeout: r.int('write_timeout', SERVICE_DEFAULTS.timeout, 1, 2147483646),
    retries: r.int('retries', SERVICE_DEFAULTS.retries, 0, 32767),
    enabled: r.bool('enabled', true),
    tags: r.strings('tags', null, { set: true, nullable: true }),
  };
}

/** The port a service uses when none is given: 443 for the TLS protocols, else 80. */
function defaultPortOf(protocol: ServiceProtocol): number {
  return protocol === 'https' || protocol === 'grpcs' ? SERVICE_DEFAULTS.https_port : SERVICE_DEFAULTS.http_port;
}

/** Parses a service `url` (WHATWG URL; http, https, grpc or grpcs) or returns the error message. */
export function parseServiceUrl(value: unknown): { protocol: ServiceProtocol; host: string; port: number; path: string | null } | string {
  if (typeof value !== 'string') return 'expected a string';
  const u = parseHttpUrl(value, SERVICE_PROTOCOLS);
  if (typeof u === 'string') return u;
  const scheme = u.protocol.slice(0, -1) as ServiceProtocol;
  if (u.search || u.hash) return 'url must not contain a query string or a fragment';
  if (u.hostname === '') return `invalid url: '${value}'`;
  const explicitPath = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(\/[^?#]*)?/i.exec(value)?.[1];
  let path: string | null = null;
  if (explicitPath !== undefined) {
    path = u.pathname;
    const err = servicePathError(path);
    if (err) return err;
  }
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === '' ? defaultPortOf(scheme) : Number(u.port);
  return { protocol: scheme, host, port, path };
}

export interface RouteOptions {
  formatVersion: string;
}

export function validateRoute(sink: Sink, raw: unknown, path: string, opts: RouteOptions): RouteEntity | null {
  const opened = openEntity(sink, raw, path, FIELDS.route);
  if (!opened) return null;
  const { obj, r } = opened;
  const id = readId(sink, obj, path);
  const name = readName(sink, r);

  const protocols = r.strings('protocols', ['http', 'https'], { set: true }) ?? ['http', 'https'];
  checkRouteProtocols(sink, path, protocols);
  const grpc = isGrpcRoute(protocols);

  const each = (field: string, values: string[] | null, check: (v: string) => string | null): void => {
    values?.forEach((v, i) => {
      const err = check(v);
      if (err) sink.error(childPath(childPath(path, field), i), err);
    });
  };
  const methods = r.strings('methods', null, { set: true, nullable: true });
  each('methods', methods, methodError);
  const hosts = r.strings('hosts', null, { nullable: true });
  each('hosts', hosts, routeHostError);
  let paths = r.strings('paths', null, { nullable: true });
  if (paths && opts.formatVersion !== '3.0') {
    paths = paths.map((p, i) => {
      if (!looksLikeLegacyRegex(p)) return p;
      sink.warn(
        childPath(childPath(path, 'paths'), i),
        `read as the regex '~${p}' because _format_version is ${opts.formatVersion} (write '~${p}' with _format_version 3.0)`,
      );
      return `~${p}`;
    });
  }
  each('paths', paths, routePathError);
  const headers = readHeaders(sink, obj, childPath(path, 'headers'));
  const snis = r.strings('snis', null, { set: true, nullable: true })?.map((n) => n.toLowerCase()) ?? null;
  each('snis', snis, sniNameError);
  if (snis !== null && snis.length > 0 && !snisAllowed(protocols)) {
    sink.error(childPath(path, 'snis'), "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'");
  }
  const redirect = readRedirectCode(sink, obj, path);

  checkRouteMatchers(sink, path, protocols, { methods, hosts, paths, headers, snis });
  return {
    id: id ?? '',
    name,
    service: null,
    protocols,
    methods,
    hosts,
    paths,
    headers,
    strip_path: grpc ? grpcStripPath(sink, obj, path) : r.bool('strip_path', true),
    preserve_host: r.bool('preserve_host', false),
    regex_priority: r.int('regex_priority', 0, -2147483648, 2147483647),
    path_handling: readPathHandling(sink, r),
    tags: r.strings('tags', null, { set: true, nullable: true }),
    // TLS fields appear only when set, so a route without them keeps its earlier shape.
    ...(snis !== null ? { snis } : {}),
    ...(redirect !== null ? { https_redirect_status_code: redirect } : {}),
  };
}

function readRedirectCode(sink: Sink, obj: Obj, path: string): number | null {
  if (!has(obj, 'https_redirect_status_code') || obj.https_redirect_status_code === null) return null;
  const v = obj.https_redirect_status_code;
  if (!(HTTPS_REDIRECT_CODES as readonly unknown[]).includes(v)) {
    sink.error(childPath(path, 'https_redirect_status_code'), `expected one of: ${HTTPS_REDIRECT_CODES.join(', ')}`);
    return null;
  }
  return v as number;
}

function readPathHandling(sink: Sink, r: Reader): 'v0' | 'v1' {
  const v = r.oneOf('path_handling', ['v0', 'v1'] as const, 'v0');
  if (v === 'v1') {
    sink.warn(
      childPath(r.path, 'path_handling'),
      "'v1' is accepted but ignored: upstream paths follow the v0 rules, as with Kong's default router",
    );
  }
  return v;
}

function readHeaders(sink: Sink, obj: Obj, path: string): Record<string, string[]> | null {
  if (!has(obj, 'headers') || obj.headers === null) return null;
  if (!isObject(obj.headers)) {
    sink.error(path, 'expected a map');
    return null;
  }
  const out: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(obj.headers)) {
    const p = childPath(path, name);
    if (name.toLowerCase() === 'host') {
      sink.error(p, "cannot contain 'host' header, which must be specified in the 'hosts' attribute");
      continue;
    }
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) {
      sink.error(p, `invalid header name: '${name}'`);
      continue;
    }
    if (!Array.isArray(values) || values.length === 0) {
      sink.error(p, 'expected a non-empty array of strings');
      continue;
    }
    const list: string[] = [];
    values.forEach((v, i) => {
      if (typeof v !== 'string') {
        sink.error(childPath(p, i), 'expected a string');
        return;
      }
      if (v.startsWith('~*')) {
        try {
          new RegExp(v.slice(2), 'i');
        } catch (err) {
          sink.error(childPath(p, i), `invalid regex: '${v.slice(2)}' (${regexErrorText(err)})`);
        }
      }
      list.push(v);
    });
    out[name.toLowerCase()] = list;
  }
  return out;
}

/** Identity values are sent upstream as header values: a control character there could never be sent. */
function headerSafe(sink: Sink, path: string, field: string, value: string | null): string | null {
  if (value !== null && HEADER_UNSAFE.test(value)) {
    sink.error(childPath(path, field), 'must not contain control characters (CR, LF, NUL, ...): it is sent upstream as a header value');
  }
  return value;
}

export function validateConsumer(sink: Sink, raw: unknown, path: string): ConsumerEntity | null {
  const opened = openEntity(sink, raw, path, FIELDS.consumer);
  if (!opened) return null;
  const { obj, r } = opened;
  const before = sink.errors.length;
  const username = headerSafe(sink, path, 'username', r.str('username', null, { nullable: true, nonEmpty: true }));
  const custom_id = headerSafe(sink, path, 'custom_id', r.str('custom_id', null, { nullable: true, nonEmpty: true }));
  if (username === null && custom_id === null && sink.errors.length === before) {
    sink.error(path, "at least one of these fields must be non-empty: 'custom_id', 'username'");
  }
  return { id: readId(sink, obj, path) ?? '', username, custom_id, tags: r.strings('tags', null, { set: true, nullable: true }) };
}

/** Validates a credential; `key`/`secret` left null when absent (the caller generates them). */
export function validateJwtSecret(sink: Sink, raw: unknown, path: string): (Omit<JwtSecretEntity, 'key'> & { key: string | null }) | null {
  const opened = openEntity(sink, raw, path, FIELDS.jwt_secret);
  if (!opened) return null;
  const { obj, r } = opened;
  const algorithm = r.oneOf('algorithm', JWT_ALGORITHMS, 'HS256');
  const algOk = !has(obj, 'algorithm') || obj.algorithm === algorithm;
  const rsa_public_key = r.str('rsa_public_key', null, { nullable: true, nonEmpty: true });
  const keyPath = childPath(path, 'rsa_public_key');
  const source = readKeySource(sink, obj, path, algorithm, algOk);
  if (algOk && algorithm.startsWith('HS') === false) {
    if (rsa_public_key === null) {
      if (
        requiresPublicKey(algorithm) &&
        source.jwks_uri === null &&
        source.jwks === null &&
        source.oidc_issuer === null &&
        !has(obj, 'jwks_uri') &&
        !has(obj, 'jwks') &&
        !has(obj, 'oidc_issuer') &&
        !sink.errors.some((e) => e.path === keyPath)
      ) {
        sink.error(keyPath, 'required field missing');
      }
    } else {
      const key = parsePublicKey(rsa_public_key);
      if (!key) sink.error(keyPath, 'invalid key');
      else {
        const fit = keyFitError(algorithm, key);
        if (fit) sink.error(keyPath, fit);
      }
    }
  }
  return {
    id: readId(sink, obj, path) ?? '',
    consumer: '',
    // With OIDC discovery the issuer is the natural key (the token's iss).
    key: headerSafe(sink, path, 'key', r.str('key', null, { nullable: true, nonEmpty: true })) ?? source.oidc_issuer,
    secret: r.str('secret', null, { nullable: true, nonEmpty: true }),
    algorithm,
    rsa_public_key,
    // Extension fields appear only when set, so a plain Kong credential keeps Kong's shape.
    ...(source.jwks_uri !== null ? { jwks_uri: source.jwks_uri } : {}),
    ...(source.jwks !== null ? { jwks: source.jwks } : {}),
    ...(source.oidc_issuer !== null ? { oidc_issuer: source.oidc_issuer } : {}),
    tags: r.strings('tags', null, { set: true, nullable: true }),
  };
}
