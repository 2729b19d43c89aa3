// The route table: compiles routes once into a priority-sorted list and finds the route for a request.
import type { CompiledRoute } from '../config/types.js';
import type { RouteMatch, RouteQuery, RouteTable } from './types.js';
import { normalizePath } from './normalize-path.js';
import { compilePathRegex, isRegexPath } from './path-regex.js';
import { forwardedPrefixOf, upstreamPathV0 } from './upstream-path.js';
import { buildRouteIndex, hashRange } from './route-index.js';
import { sniMatches } from '../tls/sni-selector.js';

const MAX_RANK = Number.MAX_SAFE_INTEGER;

const HOST_EXACT = 0;
const HOST_SUFFIX = 1; // `*.example.com`: stored as `.example.com`
const HOST_PREFIX = 2; // `example.*`: stored as `example.`

interface HostMatcher {
  readonly kind: number;
  /** Lower-case host, or the suffix/prefix without the `*`. */
  readonly text: string;
  /** Required port, or -1 for any. */
  readonly port: number;
}

interface HeaderMatcher {
  readonly name: string;
  /** Lower-case values compared for equality. */
  readonly values: readonly string[];
  /** `~*` values, compiled case-insensitive and unanchored. */
  readonly patterns: readonly RegExp[];
}

/** One route path (or the whole route when it has no paths), with everything match() needs. */
interface Entry {
  readonly route: CompiledRoute;
  readonly basePath: string;
  readonly stripPath: boolean;
  readonly methods: readonly string[] | null;
  readonly hosts: readonly HostMatcher[] | null;
  readonly headers: readonly HeaderMatcher[] | null;
  /** Route `snis` (lower-case, wildcards as written): a TLS request's SNI must match one; null = any. */
  readonly snis: readonly string[] | null;
  /** The route's protocols lack `https`: TLS requests pass it by (plain HTTP on an https-only route is the pipeline's 426). */
  readonly plainOnly: boolean;
  readonly prefix: string | null;
  readonly regex: RegExp | null;
  // Priority keys (Kong's ATC priority bits, highest first), then config order.
  readonly weight: number;
  readonly plainHosts: number;
  readonly headerCount: number;
  readonly isRegex: number;
  readonly regexPriority: number;
  readonly prefixLength: number;
  readonly order: number;
  /** Lower-case host names when all hosts are exact (for the host index), else null. */
  readonly exactHosts: readonly string[] | null;
  /** Position after sorting (set once by createRouteTable). */
  rank: number;
}

function isSet<T>(list: readonly T[] | null | undefined): list is readonly T[] {
  return list != null && list.length > 0;
}

/** Index of the `:` before the port in `host[:port]` (IPv6 in brackets), or -1 when no port. */
function portColon(value: string): number {
  const colon = value.lastIndexOf(':');
  if (colon < 0 || colon === value.length - 1) return -1;
  if (value.charCodeAt(0) === 0x5b) return value.charCodeAt(colon - 1) === 0x5d ? colon : -1;
  if (value.indexOf(':') !== colon) return -1; // bare IPv6 address, no port
  for (let i = colon + 1; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
  }
  return colon;
}

/** Decimal digits of `value` from `start` (already checked by portColon). */
function parsePort(value: string, start: number): number {
  let n = 0;
  for (let i = start; i < value.length; i++) n = n * 10 + (value.charCodeAt(i) - 0x30);
  return n;
}

function compileHost(raw: string): HostMatcher {
  const lower = raw.toLowerCase();
  const colon = portColon(lower);
  const host = colon < 0 ? lower : lower.slice(0, colon);
  const port = colon < 0 ? -1 : Number(lower.slice(colon + 1));
  if (host.startsWith('*')) return { kind: HOST_SUFFIX, text: host.slice(1), port };
  if (host.endsWith('*')) return { kind: HOST_PREFIX, text: host.slice(0, -1), port };
  return { kind: HOST_EXACT, text: host, port };
}

function compileHeaders(headers: Record<string, string[]>, names: readonly string[]): HeaderMatcher[] {
  const out: HeaderMatcher[] = [];
  for (const name of names) {
    const values: string[] = [];
    const patterns: RegExp[] = [];
    for (const v of headers[name]!) {
      if (v.startsWith('~*')) patterns.push(new RegExp(v.slice(2), 'i'));
      else values.push(v.toLowerCase());
    }
    out.push({ name: name.toLowerCase(), values, patterns });
  }
  return out;
}

function compileEntries(route: CompiledRoute, firstOrder: number): Entry[] {
  const e = route.entity;
  const methods = isSet(e.methods) ? e.methods.map((m) => m.toUpperCase()) : null;
  const hosts = isSet(e.hosts) ? e.hosts.map(compileHost) : null;
  const headerNames = e.headers ? Object.keys(e.headers).filter((n) => isSet(e.headers![n])) : [];
  const headers = headerNames.length > 0 ? compileHeaders(e.headers!, headerNames) : null;
  const paths = isSet(e.paths) ? e.paths : null;
  const snis = isSet(e.snis) ? e.snis : null;
  const kinds = (methods ? 1 : 0) + (hosts ? 1 : 0) + (headers ? 1 : 0) + (paths ? 1 : 0) + (snis ? 1 : 0);
  const exactHosts = hosts?.every((h) => h.kind === HOST_EXACT) ? hosts.map((h) => h.text) : null;
  const base = {
    route,
    basePath: route.service?.basePath ?? '/',
    stripPath: e.strip_path,
    methods,
    hosts,
    headers,
    snis,
    plainOnly: !e.protocols.includes('https') && !e.protocols.includes('grpcs'),
    weight: kinds,
    plainHosts: exactHosts !== null ? 1 : 0,
    headerCount: headers ? headers.length : 0,
    exactHosts,
    rank: 0,
  };
  if (!paths) {
    return [{ ...base, prefix: null, regex: null, isRegex: 0, regexPriority: 0, prefixLength: 0, order: firstOrder }];
  }
  return paths.map((p, i): Entry => {
    if (isRegexPath(p)) {
      return {
        ...base,
        prefix: null,
        regex: compilePathRegex(p),
        isRegex: 1,
        regexPriority: e.regex_priority,
        prefixLength: 0,
        order: firstOrder + i,
      };
    }
    const prefix = normalizePath(p) ?? p;
    return { ...base, prefix, regex: null, isRegex: 0, regexPriority: 0, prefixLength: prefix.length, order: firstOrder + i };
  });
}

function compareEntries(a: Entry, b: Entry): number {
  return (
    b.weight - a.weight ||
    b.plainHosts - a.plainHosts ||
    b.headerCount - a.headerCount ||
    b.isRegex - a.isRegex ||
    b.regexPriority - a.regexPriority ||
    b.prefixLength - a.prefixLength ||
    a.order - b.order
  );
}

/** `host` is the lower-cased Host header; only its first `hostLength` characters are the host name. */
function hostMatches(hosts: readonly HostMatcher[], host: string, hostLength: number, port: number): boolean {
  for (let i = 0; i < hosts.length; i++) {
    const h = hosts[i]!;
    if (h.port >= 0 && h.port !== port) continue;
    const text = h.text;
    if (h.kind === HOST_EXACT) {
      if (hostLength === text.length && host.startsWith(text)) return true;
    } else if (h.kind === HOST_SUFFIX) {
      if (hostLength > text.length && host.endsWith(text, hostLength)) return true;
    } else if (hostLength > text.length && host.startsWith(text)) {
      return true;
    }
  }
  return false;
}

function headersMatch(matchers: readonly HeaderMatcher[], query: RouteQuery): boolean {
  for (let i = 0; i < matchers.length; i++) {
    const m = matchers[i]!;
    const raw = query.header(m.name);
    if (raw === undefined) return false;
    let ok = false;
    if (m.values.length > 0) {
      const value = raw.toLowerCase();
      for (let j = 0; j < m.values.length && !ok; j++) ok = m.values[j] === value;
    }
    for (let j = 0; j < m.patterns.length && !ok; j++) ok = m.patterns[j]!.test(raw);
    if (!ok) return false;
  }
  return true;
}

function sniListMatches(snis: readonly string[], sni: string | null): boolean {
  if (sni === null) return false;
  for (let i = 0; i < snis.length; i++) if (sniMatches(snis[i]!, sni)) return true;
  return false;
}

/** Tries one entry against the request; the RouteMatch when every attribute matches, else null. */
function tryEntry(e: Entry, query: RouteQuery, path: string, host: string, hostLength: number, port: number): RouteMatch | null {
  if (e.methods !== null && !e.methods.includes(query.method)) return null;
  if (e.prefix !== null && !path.startsWith(e.prefix)) return null;
  if (e.hosts !== null && !hostMatches(e.hosts, host, hostLength, port)) return null;
  if (e.headers !== null && !headersMatch(e.headers, query)) return null;
  if (query.tls === true) {
    if (e.plainOnly || (e.snis !== null && !sniListMatches(e.snis, query.sni ?? null))) return null;
  } else if (e.snis !== null) {
    return null; // plain HTTP has no SNI
  }
  let matched = -1;
  if (e.prefix !== null) {
    matched = e.prefix.length;
  } else if (e.regex !== null) {
    const m = e.regex.exec(path);
    if (m === null) return null;
    matched = m[0].length;
  }
  return {
    route: e.route,
    upstreamPath: upstreamPathV0(e.basePath, path, matched, e.stripPath),
    forwardedPrefix: forwardedPrefixOf(path, matched, e.stripPath),
  };
}

const NONE: readonly Entry[] = [];

export interface RouteTableOptions {
  /** false: scan every entry in priority order (the reference the index is tested against). Default true. */
  readonly indexed?: boolean;
}

/**
 * Builds the route table once per config generation. Routes whose service is disabled are left
 * out, as Kong does. A route with several paths becomes one entry per path; entries are sorted
 * by Kong's traditional_compatible priority, ties by config order, then bucketed by path prefix
 * or exact host so that a request only tries the entries that can match it, in priority order.
 */
export function createRouteTable(routes: readonly CompiledRoute[], options: RouteTableOptions = {}): RouteTable {
  const entries: Entry[] = [];
  for (let r = 0; r < routes.length; r++) {
    const route = routes[r]!;
    if (route.service !== null && route.service.entity.enabled === false) continue;
    for (const entry of compileEntries(route, entries.length)) entries.push(entry);
  }
  entries.sort(compareEntries);
  for (let i = 0; i < entries.length; i++) entries[i]!.rank = i;
  const anyHosts = entries.some((e) => e.hosts !== null);
  const index =
    options.indexed === false ? { pathKeyLength: 0, byPath: new Map(), byHost: new Map(), always: entries } : buildRouteIndex(entries);
  const keyLength = index.pathKeyLength;
  const byPath = index.byPath;
  const byHost = index.byHost;
  const always = index.always;
  const hostIndexed = byHost.size > 0;

  function match(query: RouteQuery): RouteMatch | null {
    const path = query.path;
    // The host name is compared in place (first hostLength chars) so that no substring is cut.
    let host = '';
    let hostLength = 0;
    let port = query.listenPort;
    if (anyHosts && query.host.length > 0) {
      host = query.host.toLowerCase();
      const colon = portColon(host);
      hostLength = colon < 0 ? host.length : colon;
      if (colon >= 0) port = parsePort(host, colon + 1);
    }
    const a = keyLength > 0 && path.length >= keyLength ? (byPath.get(hashRange(path, 0, keyLength)) ?? NONE) : NONE;
    const b = hostIndexed && hostLength > 0 ? (byHost.get(hashRange(host, 0, hostLength)) ?? NONE) : NONE;
    const c = always;
    // Three-way merge of rank-ordered lists: the first entry that matches has the highest priority.
    let i = 0;
    let j = 0;
    let k = 0;
    for (;;) {
      const ra = i < a.length ? a[i]!.rank : MAX_RANK;
      const rb = j < b.length ? b[j]!.rank : MAX_RANK;
      const rc = k < c.length ? c[k]!.rank : MAX_RANK;
      let e: Entry;
      if (ra <= rb && ra <= rc) {
        if (ra === MAX_RANK) return null;
        e = a[i++]!;
      } else if (rb <= rc) {
        e = b[j++]!;
      } else {
        e = c[k++]!;
      }
      const m = tryEntry(e, query, path, host, hostLength, port);
      if (m !== null) return m;
    }
  }

  return { match };
}
