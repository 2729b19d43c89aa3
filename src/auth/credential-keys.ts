// Prepares each credential's key material once per config generation: HMAC slots (raw and base64) or a public KeyObject.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CompiledConfig, CompiledCredential, HmacAlgorithm, JwtAlgorithm } from '../config/types.js';
import type { HmacVerifier } from '../crypto/hmac.js';
import { decodeBase64url } from '../crypto/base64url.js';
import { parseJwks } from './jwks/jwk-key.js';
import { createStaticJwks, type JwksKeySource } from './jwks/jwks-cache.js';
import type { JwksRegistry } from './jwks/jwks-registry.js';

/** Slot value: this key material is missing or unusable → `Invalid key/secret`. */
export const NO_KEY = -1;
/**
 * Slot value: an HS credential stored without a secret. Kong would have generated a random one nobody
 * knows, so every token fails with `Invalid signature`.
 */
export const NO_SECRET = -2;

export interface PreparedCredential {
  readonly credential: CompiledCredential;
  readonly key: string;
  /** The credential's algorithm (HS256 when unset), which the token's alg must equal exactly. */
  readonly alg: JwtAlgorithm;
  readonly isHmac: boolean;
  /** HmacVerifier slot for the secret's UTF-8 bytes, or NO_KEY / NO_SECRET. */
  readonly hmacSlot: number;
  /** HmacVerifier slot for the base64url-decoded secret (`secret_is_base64`), or NO_KEY / NO_SECRET. */
  readonly hmacSlotBase64: number;
  /** Public key for RS*, PS*, ES*, EdDSA; null → `Invalid key/secret` (unless `jwks` is set). */
  readonly publicKey: KeyObject | null;
  /** Extension: keys from a JWKS (`jwks_uri` or inline `jwks`), selected by the token's `kid`; null otherwise. */
  readonly jwks: JwksKeySource | null;
}

export interface CredentialKeys {
  get(key: string): PreparedCredential | undefined;
  readonly size: number;
  /** The JWKS URIs the credentials use (for the registry to keep, and readiness). */
  readonly jwksUris: ReadonlySet<string>;
}

function parseKey(pem: string | null): KeyObject | null {
  if (pem === null || pem === '') return null;
  try {
    return createPublicKey(pem);
  } catch {
    return null;
  }
}

/** A secret the verifier refuses (e.g. over its size limit) is unusable key material, not a crash. */
function addKey(hmac: HmacVerifier, alg: HmacAlgorithm, secret: Buffer): number {
  try {
    return hmac.addKey(alg, secret);
  } catch {
    return NO_KEY;
  }
}

function jwksSource(credential: CompiledCredential, registry: JwksRegistry | undefined): JwksKeySource | null {
  const entity = credential.entity;
  if (entity.jwks_uri !== undefined && entity.jwks_uri !== null && registry !== undefined) return registry.acquire(entity.jwks_uri);
  if (entity.jwks !== undefined && entity.jwks !== null) {
    const parsed = parseJwks(entity.jwks);
    return createStaticJwks(typeof parsed === 'string' ? [] : parsed.entries);
  }
  return null;
}

function prepare(credential: CompiledCredential, hmac: HmacVerifier, registry: JwksRegistry | undefined): PreparedCredential {
  const entity = credential.entity;
  const alg: JwtAlgorithm = entity.algorithm ?? 'HS256';
  const isHmac = alg === 'HS256' || alg === 'HS384' || alg === 'HS512';
  let hmacSlot = NO_KEY;
  let hmacSlotBase64 = NO_KEY;
  let publicKey: KeyObject | null = null;
  if (isHmac) {
    const secret = entity.secret;
    const raw = credential.secretBytes ?? (secret !== null ? Buffer.from(secret, 'utf8') : null);
    if (raw === null) {
      hmacSlot = NO_SECRET;
      hmacSlotBase64 = NO_SECRET;
    } else {
      hmacSlot = addKey(hmac, alg as HmacAlgorithm, raw);
      // Kong decodes with nginx's base64url (`+`/`/` refused, '=' optional); decoded here with the same rule.
      const decoded = credential.secretBase64Bytes ?? (secret !== null ? decodeBase64url(secret) : null);
      if (decoded !== null) hmacSlotBase64 = addKey(hmac, alg as HmacAlgorithm, decoded);
    }
  } else {
    // rsa_public_key is used as is, never base64-decoded (Kong ≥ 3.9); an ES* key may be missing or garbage.
    publicKey = credential.publicKey ?? parseKey(entity.rsa_public_key);
  }
  const jwks = isHmac ? null : jwksSource(credential, registry);
  return { credential, key: entity.key, alg, isHmac, hmacSlot, hmacSlotBase64, publicKey, jwks };
}

/** Prepares every credential of the config; HMAC keys are registered with `hmac` up front. */
export function createCredentialKeys(config: CompiledConfig, hmac: HmacVerifier, jwks?: JwksRegistry): CredentialKeys {
  const byKey = new Map<string, PreparedCredential>();
  const jwksUris = new Set<string>();
  for (const [key, credential] of config.credentialsByKey) {
    byKey.set(key, prepare(credential, hmac, jwks));
    const uri = credential.entity.jwks_uri;
    if (uri !== undefined && uri !== null && !credential.entity.algorithm.startsWith('HS')) jwksUris.add(uri);
  }
  return {
    get: (key: string) => byKey.get(key),
    size: byKey.size,
    jwksUris,
  };
}
