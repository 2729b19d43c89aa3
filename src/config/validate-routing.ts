// Kong's value rules for route paths, hosts, methods, header matchers and names (pure functions returning an error or null).
import { compilePathRegex } from '../routing/path-regex.js';

const UNRESERVED_RE = /[A-Za-z0-9\-._~]/;

/**
 * Kong's prefix-path normalization: decode unreserved %XX, upper-case other %XX, resolve dot segments, merge `//`.
 * Not routing's normalizePath: that one also percent-encodes raw characters (space, `"`, non-ASCII) and refuses
 * `%00`, which would turn paths this validation accepts (`/a b`, `/é`) into errors.
 */
function normalizePrefixPath(path: string): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED_RE.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
  const merged = decoded.replace(/\/{2,}/g, '/');
  const segments = merged.split('/');
  const out: string[] = [];
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '.') {
      if (last) out.push('');
      continue;
    }
    if (seg === '..') {
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** Validates one route path; returns Kong's error message or null. */
export function routePathError(path: string): string | null {
  if (!path.startsWith('/') && !path.startsWith('~/')) {
    return 'should start with: / (fixed path) or ~/ (regex path)';
  }
  const bad = /%(?![0-9A-Fa-f]{2})(.{0,2})/s.exec(path);
  if (bad) return `invalid url-encoded value: '%${bad[1]}'`;
  if (path.startsWith('~')) {
    try {
      compilePathRegex(path);
    } catch (err) {
      return `invalid regex: '${path.slice(1)}' (${regexErrorText(err)})`;
    }
    return null;
  }
  if (path.includes('//')) return 'must not have empty segments';
  const normalized = normalizePrefixPath(path);
  if (normalized !== path) return `non-normalized path, consider use '${normalized}' instead`;
  return null;
}

/** Kong 1.x/2.x heuristic: a path with a character outside this set was meant as a regex. */
export function looksLikeLegacyRegex(path: string): boolean {
  return !path.startsWith('~') && /[^A-Za-z0-9_~/.\-%]/.test(path);
}

const LABEL_RE = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

function hostnameError(host: string): string | null {
  if (host.length === 0 || host.length > 253) return `invalid hostname: ${host}`;
  if (host.startsWith('[') && host.endsWith(']')) {
    return /^\[[0-9A-Fa-f:.]+\]$/.test(host) ? null : `invalid hostname: ${host}`;
  }
  for (const label of host.split('.')) {
    if (!LABEL_RE.test(label)) return `invalid hostname: ${host}`;
  }
  return null;
}

function splitPort(value: string): { host: string; port: string | null } {
  const m = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(value);
  if (!m) return { host: value, port: null };
  return { host: m[1]!, port: m[2] ?? null };
}

function portError(port: string | null): string | null {
  if (port === null) return null;
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) return `invalid port number`;
  return null;
}

/** Route `hosts` entry: hostname with optional `:port`, one `*` as the whole leftmost or rightmost label. */
export function routeHostError(value: string): string | null {
  const { host, port } = splitPort(value);
  const perr = portError(port);
  if (perr) return perr;
  const stars = host.split('*').length - 1;
  if (stars > 1) return 'invalid wildcard: cannot have more than one wildcard';
  if (stars === 1) {
    const labels = host.split('.');
    const first = labels[0] === '*';
    const last = labels[labels.length - 1] === '*';
    if ((!first && !last) || labels.length < 2) return 'invalid wildcard: must be placed at leftmost or rightmost label';
    const rest = (first ? labels.slice(1) : labels.slice(0, -1)).join('.');
    return hostnameError(rest) === null ? null : `invalid hostname: ${value}`;
  }
  return hostnameError(host);
}

/** Service host: plain hostname or IP (IPv6 with or without brackets), no port. */
export function serviceHostError(host: string): string | null {
  if (host.includes(':') && !host.startsWith('[')) {
    return /^[0-9A-Fa-f:.]+$/.test(host) ? null : `invalid hostname: ${host}`;
  }
  return hostnameError(host);
}

/** Kong's `utf8_name`: alphanumerics and `.-_~` (plus any non-ASCII letter). */
export function entityNameError(name: string): string | null {
  if (/^[\p{L}\p{N}.\-_~]+$/u.test(name)) return null;
  return `invalid value '${name}': it must only contain alphanumeric and '., -, _, ~' characters`;
}

export function methodError(method: string): string | null {
  return /^[A-Z]+$/.test(method) ? null : `invalid value '${method}': it must be an uppercase HTTP method`;
}

/** Service `path`: starts with `/`, no empty segments, valid percent-encoding. */
export function servicePathError(path: string): string | null {
  if (!path.startsWith('/')) return 'should start with: /';
  const bad = /%(?![0-9A-Fa-f]{2})(.{0,2})/s.exec(path);
  if (bad) return `invalid url-encoded value: '%${bad[1]}'`;
  if (path.includes('//')) return 'must not have empty segments';
  if (/[\s?#]/.test(path)) return `invalid path: '${path}' (characters outside of the reserved list of RFC 3986 found)`;
  return null;
}

/** The reason part of a RegExp SyntaxError (`Invalid regular expression: /x(/: Unterminated group` → `Unterminated group`). */
export function regexErrorText(err: unknown): string {
  const msg = (err as Error).message;
  const i = msg.lastIndexOf(': ');
  return i >= 0 ? msg.slice(i + 2) : msg;
}

const SNI_LABEL_RE = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Kong's wildcard host rule for SNI names: a hostname, optionally with one `*` as the whole leftmost or rightmost
 * label; no port, no IP address. Returns the error message or null. Names compare lower-case.
 */
export function sniNameError(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower.length === 0 || lower.length > 253) return `invalid value: '${name}'`;
  if (/:\d*$/.test(lower) && !lower.includes('::')) return 'must not have a port';
  if (/^[0-9.]+$/.test(lower) || lower.includes(':')) return 'must not be an IP';
  const labels = lower.split('.');
  const stars = lower.split('*').length - 1;
  if (stars > 1) return 'invalid wildcard: must have at most one wildcard';
  if (stars === 1) {
    const first = labels[0] === '*';
    const last = labels[labels.length - 1] === '*';
    if ((!first && !last) || labels.length < 2) return 'invalid wildcard: must be placed at leftmost or rightmost label';
  }
  for (const label of labels) {
    if (label !== '*' && !SNI_LABEL_RE.test(label)) return `invalid value: '${name}'`;
  }
  return null;
}
