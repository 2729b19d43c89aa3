// Parses Kong's kong.conf listener form (`addr:port flag…, addr:port flag…` or a list of entries) into listener specs.
import type { HttpEngine, ListenerSpec } from './types.js';
import type { Sink } from './validate-context.js';

export const HTTP_ENGINES = ['uws', 'node'] as const;

/** Flags accepted but not implemented: each use is a config warning (Kong users copy them from kong.conf). */
const WARNED_FLAGS: Readonly<Record<string, string>> = {
  deferred: 'TCP_DEFER_ACCEPT cannot be set from Node; accepted and ignored',
  proxy_protocol: 'the PROXY protocol is not implemented; accepted and ignored (do not rely on it for client addresses)',
  ipv6only: 'ipv6only is not implemented; accepted and ignored',
  so_keepalive: 'so_keepalive is not implemented; accepted and ignored',
};

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/;
const BACKLOG_MAX = 65535;

/** `host:port` / `[v6]:port`; null when malformed or the port is out of range. Port 0 means an ephemeral port. */
function parseAddress(value: string): { host: string; port: number } | null {
  const m = ADDRESS.exec(value);
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

/** One entry, e.g. `0.0.0.0:8443 http2 ssl backlog=16384`; errors and warnings go to the sink at `path`. */
function parseEntry(sink: Sink, entry: string, path: string, example: string): ListenerSpec | null {
  const words = entry.trim().split(/\s+/);
  const address = parseAddress(words[0] ?? '');
  if (address === null) {
    sink.error(path, `expected 'host:port' followed by flags (e.g. '${example}'), got '${entry.trim()}'`);
    return null;
  }
  const spec: ListenerSpec = {
    host: address.host,
    port: address.port,
    ssl: false,
    http2: false,
    reuseport: false,
    backlog: null,
    engine: null,
    flags: words.slice(1),
  };
  for (const flag of spec.flags) {
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag : flag.slice(0, eq);
    const value = eq === -1 ? null : flag.slice(eq + 1);
    switch (name) {
      case 'ssl':
      case 'http2':
      case 'reuseport':
      case 'bind':
        if (value !== null) sink.error(path, `flag '${name}' takes no value`);
        else if (name !== 'bind') spec[name] = true;
        // bind: every listener binds its own address already, as nginx does with the flag.
        break;
      case 'backlog':
        if (value === null || !/^[0-9]{1,6}$/.test(value) || Number(value) < 1 || Number(value) > BACKLOG_MAX) {
          sink.error(path, `flag 'backlog' expects backlog=N with N between 1 and ${BACKLOG_MAX}`);
        } else spec.backlog = Number(value);
        break;
      case 'engine':
        if (value === null || !(HTTP_ENGINES as readonly string[]).includes(value)) {
          sink.error(path, `flag 'engine' expects engine=${HTTP_ENGINES.join('|')}`);
        } else spec.engine = value as HttpEngine;
        break;
      default:
        if (name in WARNED_FLAGS) sink.warn(path, `flag '${name}': ${WARNED_FLAGS[name]}`);
        else {
          sink.error(
            path,
            `unknown flag '${flag}' (expected ssl, http2, reuseport, backlog=N, deferred, bind, ` +
              `proxy_protocol or engine=${HTTP_ENGINES.join('|')})`,
          );
        }
    }
  }
  return spec;
}

/**
 * A kong.conf listener value: a comma-separated string or a list of entries; `'off'` gives null when allowed.
 * On any error the fallback is returned so validation can go on collecting errors.
 */
export function parseListeners(sink: Sink, raw: unknown, path: string, fallback: string, allowOff: boolean): ListenerSpec[] | null {
  const value = raw === undefined ? fallback : raw;
  if (allowOff && value === 'off') return null;
  const fallbackSpecs = (): ListenerSpec[] => parseListeners(sink, fallback, path, fallback, false)!;
  let entries: Array<{ text: string; path: string }>;
  if (typeof value === 'string') {
    entries = value.split(',').map((text) => ({ text, path }));
  } else if (Array.isArray(value) && value.length > 0) {
    entries = [];
    value.forEach((item, i) => {
      if (typeof item === 'string') entries.push({ text: item, path: `${path}[${i}]` });
      else sink.error(`${path}[${i}]`, 'expected a string');
    });
  } else {
    sink.error(path, `expected a string or a non-empty list of strings (e.g. '${fallback}')${allowOff ? " or 'off'" : ''}`);
    return fallbackSpecs();
  }
  const specs: ListenerSpec[] = [];
  let failed = false;
  const seen = new Set<string>();
  for (const e of entries) {
    const spec = parseEntry(sink, e.text, e.path, fallback);
    if (spec === null) {
      failed = true;
      continue;
    }
    const key = listenerAddress(spec);
    // Port 0 asks for a fresh ephemeral port each time: two of them never collide.
    if (spec.port !== 0 && seen.has(key)) {
      sink.error(e.path, `duplicate listen address '${key}'`);
      failed = true;
    }
    seen.add(key);
    specs.push(spec);
  }
  return failed || specs.length === 0 ? fallbackSpecs() : specs;
}

/** `host:port`, IPv6 hosts in brackets. */
export function listenerAddress(spec: { host: string; port: number }): string {
  return spec.host.includes(':') ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
}

/** The entry as Kong prints it in `configuration.proxy_listen`, e.g. `0.0.0.0:8443 ssl http2`. */
export function formatListener(spec: ListenerSpec): string {
  return [listenerAddress(spec), ...spec.flags].join(' ');
}

/** The engine that serves a proxy listener: uWS has no HTTP/2, so `http2` listeners always get the node engine. */
export function listenerEngine(spec: ListenerSpec, defaultEngine: HttpEngine): HttpEngine {
  if (spec.http2) return 'node';
  return spec.engine ?? defaultEngine;
}
