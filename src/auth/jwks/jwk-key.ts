// Turns JWKs into public KeyObjects and checks each against an algorithm (`alg`, `kty`, `crv`, `use`, `key_ops`, RSA size).
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../../config/types.js';
import { isObject } from '../../config/validate-context.js';
import { EC_JOSE_CURVE, keyFitError } from '../../config/validate-keys.js';

const ASYMMETRIC: readonly JwtAlgorithm[] = JWT_ALGORITHMS.filter((a) => !a.startsWith('HS'));
/** Members that only a private or symmetric JWK has; a JWKS must publish public keys only. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export interface JwkEntry {
  /** null when the JWK has no `kid`. */
  readonly kid: string | null;
  readonly key: KeyObject;
  /** The algorithms this key may verify (its `alg` if given, else every one its type fits). */
  readonly algs: ReadonlySet<JwtAlgorithm>;
}

/** Why the JWK cannot verify `alg` (string), or null when it can. The key itself must already parse. */
function jwkFitError(jwk: Record<string, unknown>, key: KeyObject, alg: JwtAlgorithm): string | null {
  if (jwk.alg !== undefined && jwk.alg !== alg) return `its alg ${JSON.stringify(jwk.alg)} is not ${alg}`;
  const kty = jwk.kty;
  if (alg.startsWith('RS') || alg.startsWith('PS')) {
    if (kty !== 'RSA') return `kty ${JSON.stringify(kty)} does not fit ${alg} (expected "RSA")`;
  } else if (alg.startsWith('ES')) {
    if (kty !== 'EC' || jwk.crv !== EC_JOSE_CURVE[alg])
      return `kty/crv ${JSON.stringify(kty)}/${JSON.stringify(jwk.crv)} does not fit ${alg} (expected "EC"/"${EC_JOSE_CURVE[alg]}")`;
  } else if (alg === 'EdDSA') {
    if (kty !== 'OKP' || (jwk.crv !== 'Ed25519' && jwk.crv !== 'Ed448')) {
      return `kty/crv ${JSON.stringify(kty)}/${JSON.stringify(jwk.crv)} does not fit EdDSA (expected "OKP"/"Ed25519" or "Ed448")`;
    }
  }
  return keyFitError(alg, key);
}

/** Parses one JWK into an entry, or returns why it is unusable for signature verification. */
export function parseJwk(jwk: unknown): JwkEntry | string {
  if (!isObject(jwk)) return 'expected a JWK object';
  if (typeof jwk.kty !== 'string') return 'kty: expected a string';
  if (jwk.kid !== undefined && typeof jwk.kid !== 'string') return 'kid: expected a string';
  if (jwk.alg !== undefined && typeof jwk.alg !== 'string') return 'alg: expected a string';
  if (jwk.use !== undefined && jwk.use !== 'sig') return `use ${JSON.stringify(jwk.use)} is not "sig"`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify')))
    return 'key_ops does not include "verify"';
  for (const m of PRIVATE_MEMBERS) if (jwk[m] !== undefined) return `a public JWK must not contain "${m}"`;
  if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') return `unsupported kty ${JSON.stringify(jwk.kty)}`;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch (err) {
    return `invalid key (${(err as Error).message})`;
  }
  const algs = new Set<JwtAlgorithm>();
  for (const alg of ASYMMETRIC) if (jwkFitError(jwk, key, alg) === null) algs.add(alg);
  if (algs.size === 0) {
    const probe = typeof jwk.alg === 'string' ? jwk.alg : ({ RSA: 'RS256', EC: 'ES256', OKP: 'EdDSA' } as Record<string, string>)[jwk.kty]!;
    const why = (JWT_ALGORITHMS as readonly string[]).includes(probe)
      ? jwkFitError(jwk, key, probe as JwtAlgorithm)
      : `unsupported alg ${JSON.stringify(probe)}`;
    return why ?? 'fits no supported algorithm';
  }
  return { kid: typeof jwk.kid === 'string' ? jwk.kid : null, key, algs };
}

export interface ParsedJwks {
  readonly entries: readonly JwkEntry[];
  /** One message per unusable key: `keys[i]: reason`. */
  readonly problems: readonly string[];
}

/** Parses a JWK Set document; a document that is not `{"keys":[...]}` is a string error. */
export function parseJwks(doc: unknown): ParsedJwks | string {
  if (!isObject(doc) || !Array.isArray(doc.keys)) return 'expected a JWK Set: an object with a "keys" array';
  const entries: JwkEntry[] = [];
  const problems: string[] = [];
  doc.keys.forEach((jwk, i) => {
    const e = parseJwk(jwk);
    if (typeof e === 'string') problems.push(`keys[${i}]: ${e}`);
    else entries.push(e);
  });
  return { entries, problems };
}

/** Finds the key for a token: by `kid` when the token has one, else the only key fitting `alg`. null when none fits. */
export function selectKey(
  entries: readonly JwkEntry[],
  byKid: ReadonlyMap<string, JwkEntry>,
  kid: string | undefined,
  alg: JwtAlgorithm,
): KeyObject | null {
  if (kid !== undefined) {
    const e = byKid.get(kid);
    return e?.algs.has(alg) ? e.key : null;
  }
  let found: KeyObject | null = null;
  for (const e of entries) {
    if (!e.algs.has(alg)) continue;
    if (found !== null) return null;
    found = e.key;
  }
  return found;
}

export function indexByKid(entries: readonly JwkEntry[]): Map<string, JwkEntry> {
  const m = new Map<string, JwkEntry>();
  for (const e of entries) if (e.kid !== null && !m.has(e.kid)) m.set(e.kid, e);
  return m;
}
