// Kong's per-protocol route rules: the http and grpc subschemas (which fields each allows, which one must be set).
import { ROUTE_PROTOCOLS } from './fields.js';
import { childPath, has, type Obj, type Sink } from './validate-context.js';

/** Kong's mutually exclusive protocol sets of a route (the stream sets are not supported). */
const PROTOCOL_SETS = [
  ['http', 'https'],
  ['grpc', 'grpcs'],
] as const;

/** A route's protocols are its subschema in Kong: `http` (http/https) or `grpc` (grpc/grpcs). */
export function isGrpcRoute(protocols: readonly string[]): boolean {
  return protocols.includes('grpc') || protocols.includes('grpcs');
}

/** Checks each protocol name and that a route does not mix HTTP and gRPC (Kong: `mutually_exclusive_subsets`). */
export function checkRouteProtocols(sink: Sink, path: string, protocols: readonly string[]): void {
  const at = childPath(path, 'protocols');
  protocols.forEach((p, i) => {
    if (!(ROUTE_PROTOCOLS as readonly string[]).includes(p)) sink.error(childPath(at, i), `expected one of: ${ROUTE_PROTOCOLS.join(', ')}`);
  });
  if (protocols.length === 0) sink.error(at, 'length must be at least 1');
  // Kong lists the sets in the order their first member appears.
  const used: (typeof PROTOCOL_SETS)[number][] = [];
  for (const p of protocols) {
    const set = PROTOCOL_SETS.find((s) => (s as readonly string[]).includes(p));
    if (set !== undefined && !used.includes(set)) used.push(set);
  }
  if (used.length > 1) {
    const listed = used.map((s) => `(${s.map((p) => `'${p}'`).join(', ')})`).join(', ');
    sink.error(at, `these sets are mutually exclusive: ${listed}`);
  }
}

/** A gRPC route's `strip_path`: false by default, and true is refused (Kong's grpc subschema). */
export function grpcStripPath(sink: Sink, obj: Obj, path: string): boolean {
  if (has(obj, 'strip_path') && obj.strip_path === true) {
    sink.error(childPath(path, 'strip_path'), "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'");
  }
  return false;
}

interface Matchers {
  methods: unknown[] | null;
  hosts: unknown[] | null;
  paths: unknown[] | null;
  headers: Record<string, unknown> | null;
  snis: unknown[] | null;
}

const empty = (v: unknown[] | Record<string, unknown> | null): boolean => v === null || Object.keys(v).length === 0;

/** Kong's `conditional_at_least_one_of` per subschema, and the grpc subschema's refusal of `methods`. */
export function checkRouteMatchers(sink: Sink, path: string, protocols: readonly string[], m: Matchers): void {
  if (isGrpcRoute(protocols)) {
    if (!empty(m.methods)) sink.error(childPath(path, 'methods'), "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'");
    const tls = protocols.includes('grpcs');
    if (empty(m.hosts) && empty(m.paths) && empty(m.headers) && (empty(m.snis) || !tls)) {
      sink.error(
        path,
        tls
          ? "must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"
          : "must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'",
      );
    }
    return;
  }
  const tls = protocols.includes('https');
  if (empty(m.methods) && empty(m.hosts) && empty(m.paths) && empty(m.headers) && (empty(m.snis) || !tls)) {
    sink.error(
      path,
      tls
        ? "must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"
        : "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'",
    );
  }
}

/** Route `snis` need a TLS protocol (Kong's message names the stream protocols too). */
export function snisAllowed(protocols: readonly string[]): boolean {
  return protocols.includes('https') || protocols.includes('grpcs');
}

/** What the serving check reads of a route: its entity, JSON path and service. */
interface RouteAt {
  readonly e: { readonly protocols: readonly string[]; readonly service: string | null };
  readonly path: string;
}

/**
 * Warnings for gRPC routes that cannot work as configured: gRPC needs HTTP/2 and trailers, which only `http2`
 * listeners (the node engine) have; and a gRPC route's service must speak HTTP/2 too (protocol grpc or grpcs).
 */
export function warnGrpcServing(
  sink: Sink,
  proxyListen: readonly { readonly http2: boolean }[],
  routes: readonly RouteAt[],
  serviceProtocol: (id: string) => string | undefined,
): void {
  const h2 = proxyListen.some((l) => l.http2);
  for (const r of routes) {
    if (!isGrpcRoute(r.e.protocols)) continue;
    if (!h2) {
      sink.warn(
        childPath(r.path, 'protocols'),
        "gRPC is served only on 'http2' listeners (node engine; uWS has no HTTP/2 and no trailers) and no proxy_listen entry has the 'http2' flag",
      );
    }
    const protocol = r.e.service === null ? undefined : serviceProtocol(r.e.service);
    if (protocol === 'http' || protocol === 'https') {
      sink.warn(
        childPath(r.path, 'service'),
        `a gRPC route's service has protocol '${protocol}': requests go upstream over HTTP/1.1, without trailers (use 'grpc' or 'grpcs')`,
      );
    }
  }
}
