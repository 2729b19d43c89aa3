// Shared validation plumbing: JSON paths, the error/warning sink, and typed field readers with Kong's messages.
import type { ConfigError } from './types.js';

export type Obj = Record<string, unknown>;

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENT_RE.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HTTP_SCHEMES = ['http', 'https'];

/** A URL of one of `schemes` (default http, https) without credentials (service `url`, `jwks_uri`), or Kong's message for why not. */
export function parseHttpUrl(value: string, schemes: readonly string[] = HTTP_SCHEMES): URL | string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return `invalid url: '${value}'`;
  }
  if (!schemes.includes(u.protocol.slice(0, -1))) {
    return `unsupported protocol '${u.protocol.slice(0, -1)}' in url (expected one of: ${schemes.join(', ')})`;
  }
  if (u.username || u.password) return 'url must not contain credentials';
  return u;
}

export interface Sink {
  readonly errors: ConfigError[];
  readonly warnings: ConfigError[];
  error(path: string, message: string): void;
  warn(path: string, message: string): void;
}

export function createSink(): Sink {
  const errors: ConfigError[] = [];
  const warnings: ConfigError[] = [];
  return {
    errors,
    warnings,
    error(path, message) {
      errors.push({ path, message });
    },
    warn(path, message) {
      warnings.push({ path, message });
    },
  };
}

/** Reports every field not in `allowed` (plus the meta fields) and checks the meta fields' types. */
export function checkFields(sink: Sink, obj: Obj, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (key === '_comment') {
      if (typeof obj[key] !== 'string') sink.error(childPath(path, key), 'expected a string');
    } else if (key === '_ignore') {
      if (!Array.isArray(obj[key])) sink.error(childPath(path, key), 'expected an array');
    } else if (!allowed.includes(key)) {
      sink.error(childPath(path, key), 'unknown field');
    }
  }
}

/** True when `obj` has its own `key` set to anything but undefined (null counts as present). */
export function has(obj: Obj, key: string): boolean {
  return Object.hasOwn(obj, key) && obj[key] !== undefined;
}

export interface Reader {
  /** String field; null allowed only when `nullable`. Returns `fallback` when absent or on error. */
  str<T extends string | null>(key: string, fallback: T, opts?: { nullable?: boolean; nonEmpty?: boolean }): string | T;
  bool(key: string, fallback: boolean): boolean;
  int(key: string, fallback: number, min: number, max: number): number;
  num(key: string, fallback: number, min: number, max: number): number;
  oneOf<T extends string>(key: string, values: readonly T[], fallback: T): T;
  /** Array of strings (deduplicated when `set`); null when absent/null and nullable. */
  strings(key: string, fallback: string[] | null, opts?: { set?: boolean; nullable?: boolean }): string[] | null;
  readonly path: string;
}

export function createReader(sink: Sink, obj: Obj, path: string): Reader {
  function missingOrNull(key: string, nullable: boolean): 'absent' | 'null' | 'bad-null' | 'present' {
    if (!has(obj, key)) return 'absent';
    if (obj[key] === null) return nullable ? 'null' : 'bad-null';
    return 'present';
  }
  function p(key: string): string {
    return childPath(path, key);
  }
  function number(key: string, fallback: number, min: number, max: number, integer: boolean): number {
    const state = missingOrNull(key, false);
    if (state === 'absent') return fallback;
    if (state === 'bad-null') {
      sink.error(p(key), 'required field missing');
      return fallback;
    }
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      sink.error(p(key), integer ? 'expected an integer' : 'expected a number');
      return fallback;
    }
    if (v < min || v > max) {
      sink.error(p(key), `value should be between ${min} and ${max}`);
      return fallback;
    }
    return v;
  }
  return {
    path,
    str(key, fallback, opts = {}) {
      const state = missingOrNull(key, opts.nullable ?? false);
      if (state === 'absent' || state === 'null') return state === 'null' ? (null as never) : fallback;
      if (state === 'bad-null') {
        sink.error(p(key), 'required field missing');
        return fallback;
      }
      const v = obj[key];
      if (typeof v !== 'string') {
        sink.error(p(key), 'expected a string');
        return fallback;
      }
      if (opts.nonEmpty && v.length === 0) {
        sink.error(p(key), 'length must be at least 1');
        return fallback;
      }
      return v;
    },
    bool(key, fallback) {
      const state = missingOrNull(key, false);
      if (state === 'absent') return fallback;
      if (state === 'bad-null') {
        sink.error(p(key), 'required field missing');
        return fallback;
      }
      const v = obj[key];
      if (typeof v !== 'boolean') {
        sink.error(p(key), 'expected a boolean');
        return fallback;
      }
      return v;
    },
    int: (key, fallback, min, max) => number(key, fallback, min, max, true),
    num: (key, fallback, min, max) => number(key, fallback, min, max, false),
    oneOf(key, values, fallback) {
      const state = missingOrNull(key, false);
      if (state === 'absent') return fallback;
      if (state === 'bad-null') {
        sink.error(p(key), 'required field missing');
        return fallback;
      }
      const v = obj[key];
      if (typeof v !== 'string') {
        sink.error(p(key), 'expected a string');
        return fallback;
      }
      if (!(values as readonly string[]).includes(v)) {
        sink.error(p(key), `expected one of: ${values.join(', ')}`);
        return fallback;
      }
      return v as (typeof values)[number];
    },
    strings(key, fallback, opts = {}) {
      const state = missingOrNull(key, opts.nullable ?? false);
      if (state === 'absent') return fallback;
      if (state === 'null') return null;
      if (state === 'bad-null') {
        sink.error(p(key), 'required field missing');
        return fallback;
      }
      const v = obj[key];
      if (!Array.isArray(v)) {
        sink.error(p(key), opts.set ? 'expected a set' : 'expected an array');
        return fallback;
      }
      const out: string[] = [];
      let ok = true;
      v.forEach((item, i) => {
        if (typeof item !== 'string') {
          sink.error(childPath(p(key), i), 'expected a string');
          ok = false;
          return;
        }
        if (!opts.set || !out.includes(item)) out.push(item);
      });
      return ok ? out : fallback;
    },
  };
}

/** `created_at` / `updated_at` (Unix seconds, stored by the Admin API): type and range only. */
export function checkTimestamps(sink: Sink, obj: Obj, path: string): void {
  for (const key of ['created_at', 'updated_at']) {
    if (!has(obj, key) || obj[key] === null) continue;
    const v = obj[key];
    if (typeof v !== 'number' || !Number.isInteger(v)) sink.error(childPath(path, key), 'expected an integer');
    else if (v < 0 || v > 2 ** 31 * 1000) sink.error(childPath(path, key), `value should be between 0 and ${2 ** 31 * 1000}`);
  }
}
