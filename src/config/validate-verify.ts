// Validates the extensions for asymmetric keys: gateway verify/JWKS settings and a credential's `jwks_uri` / inline `jwks`.
import { parseJwks } from '../auth/jwks/jwk-key.js';
import type { GatewaySettings, JwtAlgorithm } from './types.js';
import { childPath, has, parseHttpUrl, type Obj, type Reader, type Sink } from './validate-context.js';

const VERIFY_MODES = ['pool', 'libuv', 'inline'] as const satisfies ReadonlyArray<GatewaySettings['asymmetric_verify']>;

/** Defaults chosen from bench/micro/verify-pool.bench.mjs (see the README's table). */
export const VERIFY_DEFAULTS = {
  asymmetric_verify: 'libuv',
  verify_queue_max: 4096,
  verify_pool_threads: 0,
  jwks_cache_min_seconds: 30,
  jwks_cache_max_seconds: 300,
  jwks_refetch_interval_seconds: 10,
  jwks_fetch_timeout_ms: 5000,
  jwks_max_bytes: 1048576,
  jwks_ready_timeout_ms: 10000,
} as const;

const VERIFY_LIMITS = {
  verify_queue_max: [1, 1000000],
  verify_pool_threads: [0, 256],
  jwks_cache_min_seconds: [0, 604800],
  jwks_cache_max_seconds: [1, 604800],
  jwks_refetch_interval_seconds: [0, 86400],
  jwks_fetch_timeout_ms: [100, 600000],
  jwks_max_bytes: [1024, 67108864],
  jwks_ready_timeout_ms: [0, 600000],
} as const;

export type VerifySettings = Pick<
  GatewaySettings,
  | 'asymmetric_verify'
  | 'verify_queue_max'
  | 'verify_pool_threads'
  | 'jwks_cache_min_seconds'
  | 'jwks_cache_max_seconds'
  | 'jwks_refetch_interval_seconds'
  | 'jwks_fetch_timeout_ms'
  | 'jwks_max_bytes'
  | 'jwks_ready_timeout_ms'
>;

/** Reads the gateway fields of this extension, defaulted; min must not exceed max. */
export function readVerifySettings(sink: Sink, r: Reader): VerifySettings {
  const D = VERIFY_DEFAULTS;
  const L = VERIFY_LIMITS;
  const out: VerifySettings = {
    asymmetric_verify: r.oneOf('asymmetric_verify', VERIFY_MODES, D.asymmetric_verify),
    verify_queue_max: r.int('verify_queue_max', D.verify_queue_max, ...L.verify_queue_max),
    verify_pool_threads: r.int('verify_pool_threads', D.verify_pool_threads, ...L.verify_pool_threads),
    jwks_cache_min_seconds: r.int('jwks_cache_min_seconds', D.jwks_cache_min_seconds, ...L.jwks_cache_min_seconds),
    jwks_cache_max_seconds: r.int('jwks_cache_max_seconds', D.jwks_cache_max_seconds, ...L.jwks_cache_max_seconds),
    jwks_refetch_interval_seconds: r.int(
      'jwks_refetch_interval_seconds',
      D.jwks_refetch_interval_seconds,
      ...L.jwks_refetch_interval_seconds,
    ),
    jwks_fetch_timeout_ms: r.int('jwks_fetch_timeout_ms', D.jwks_fetch_timeout_ms, ...L.jwks_fetch_timeout_ms),
    jwks_max_bytes: r.int('jwks_max_bytes', D.jwks_max_bytes, ...L.jwks_max_bytes),
    jwks_ready_timeout_ms: r.int('jwks_ready_timeout_ms', D.jwks_ready_timeout_ms, ...L.jwks_ready_timeout_ms),
  };
  if (out.jwks_cache_min_seconds > out.jwks_cache_max_seconds) {
    sink.error(childPath(r.path, 'jwks_cache_min_seconds'), `must not exceed jwks_cache_max_seconds (${out.jwks_cache_max_seconds})`);
  }
  return out;
}

export interface KeySource {
  jwks_uri: string | null;
  jwks: { keys: unknown[] } | null;
  oidc_issuer: string | null;
}

function readUri(sink: Sink, obj: Obj, path: string, field: 'jwks_uri' | 'oidc_issuer'): string | null {
  if (!has(obj, field) || obj[field] === null) return null;
  const p = childPath(path, field);
  const v = obj[field];
  if (typeof v !== 'string' || v.length === 0) {
    sink.error(p, 'expected a non-empty string');
    return null;
  }
  const u = parseHttpUrl(v);
  if (typeof u === 'string') {
    sink.error(p, u);
    return null;
  }
  return v;
}

function readInline(sink: Sink, obj: Obj, path: string, algorithm: JwtAlgorithm): { keys: unknown[] } | null {
  if (!has(obj, 'jwks') || obj.jwks === null) return null;
  const p = childPath(path, 'jwks');
  const parsed = parseJwks(obj.jwks);
  if (typeof parsed === 'string') {
    sink.error(p, parsed);
    return null;
  }
  // A key that does not parse is an error (a typo must not pass); one that fits another algorithm is only unused.
  for (const problem of parsed.problems) {
    const m = /^keys\[(\d+)\]: (.*)$/.exec(problem)!;
    sink.error(childPath(childPath(p, 'keys'), Number(m[1])), m[2]!);
  }
  if (parsed.problems.length === 0 && !parsed.entries.some((e) => e.algs.has(algorithm))) {
    sink.error(childPath(p, 'keys'), `no key fits algorithm ${algorithm}`);
  }
  return { keys: (obj.jwks as { keys: unknown[] }).keys };
}

/**
 * Reads `jwks_uri` / `jwks`, alternatives to `rsa_public_key` (at most one of the three) for asymmetric
 * algorithms only. `algOk` is false when `algorithm` itself was invalid (then only shapes are checked).
 */
export function readKeySource(sink: Sink, obj: Obj, path: string, algorithm: JwtAlgorithm, algOk: boolean): KeySource {
  const jwks_uri = readUri(sink, obj, path, 'jwks_uri');
  const oidc_issuer = readUri(sink, obj, path, 'oidc_issuer');
  const jwks = readInline(sink, obj, path, algOk ? algorithm : 'RS256');
  const given = ['rsa_public_key', 'jwks_uri', 'jwks', 'oidc_issuer'].filter((f) => has(obj, f) && obj[f] !== null);
  if (given.length > 1) {
    for (const f of given.slice(1)) {
      sink.error(
        childPath(path, f),
        `cannot be set together with '${given[0]}' (give one of: rsa_public_key, jwks_uri, jwks, oidc_issuer)`,
      );
    }
  }
  if (algOk && algorithm.startsWith('HS')) {
    for (const f of ['jwks_uri', 'jwks', 'oidc_issuer']) {
      if (has(obj, f) && obj[f] !== null) sink.error(childPath(path, f), `only for asymmetric algorithms (algorithm is ${algorithm})`);
    }
  }
  return { jwks_uri, jwks, oidc_issuer };
}
