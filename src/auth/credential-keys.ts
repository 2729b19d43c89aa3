// Turns each credential's compiled key material into HMAC verifier slots (raw and base64) or a JWKS source, once per config generation.
import type { KeyObject } from 'node:crypto';
import type { CompiledConfig, CompiledCredential, HmacAlgorithm, JwtAlgorithm } from '../config/types.js';
import type { HmacVerifier } from '../crypto/hmac.js';
import type { UpstreamIdentity } from '../proxy/forwarded-headers.js';
import { credentialIdentity } from './policy-headers.js';
import { parseJwks } from './jwks/jwk-key.js';
import { createStaticJwks, type JwksKeySource } from './jwks/jwks-cache.js';
import type { JwksRegistry } from './jwks/jwks-registry.js';
import { OIDC_PREFIX } from './jwks/jwks-fetcher.js';

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
  /** The credential's algorithm, which the token's alg must equal exactly. */
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
  /** Its consumer's headers and X-Credential-Identifier, built once: every allow with this credential shares them. */
  readonly identity: UpstreamIdentity;
}

export interface CredentialKeys {
  get(key: string): PreparedCredential | undefined;
  readonly size: number;
}

/** The JWKS URIs the config's asymmetric credentials use (for the registry to keep). */
export function jwksUrisOf(config: CompiledConfig): Set<string> {
  const uris = new Set<string>();
  for (const { entity } of config.credentialsByKey.values()) {
    const uri = remoteJwksOf(entity);
    if (uri !== null && !entity.algorithm.startsWith('HS')) uris.add(uri);
  }
  return uris;
}

/** The registry key of a credential's remote JWKS: its `jwks_uri`, or `oidc:<issuer>` for discovery; null when neither. */
function remoteJwksOf(entity: CompiledCredential['entity']): string | null {
  if (entity.jwks_uri !== undefined && entity.jwks_uri !== null) return entity.jwks_uri;
  if (entity.oidc_issuer !== undefined && entity.oidc_issuer !== null) return OIDC_PREFIX + entity.oidc_issuer;
  return null;
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
  const remote = remoteJwksOf(entity);
  if (remote !== null && registry !== undefined) return registry.acquire(remote);
  if (entity.jwks !== undefined && entity.jwks !== null) {
    const parsed = parseJwks(entity.jwks);
    return createStaticJwks(typeof parsed === 'string' ? [] : parsed.entries);
  }
  return null;
}

/** Registers the key material compile.ts prepared; this file only turns it into verifier slots and JWKS sources. */
function prepare(credential: CompiledCredential, hmac: HmacVerifier, registry: JwksRegistry | undefined): PreparedCredential {
  const entity = credential.entity;
  const alg = entity.algorithm;
  const isHmac = alg === 'HS256' || alg === 'HS384' || alg === 'HS512';
  let hmacSlot = NO_KEY;
  let hmacSlotBase64 = NO_KEY;
  if (isHmac) {
    const raw = credential.secretBytes;
    if (raw === null) {
      hmacSlot = NO_SECRET;
      hmacSlotBase64 = NO_SECRET;
    } else {
      hmacSlot = addKey(hmac, alg, raw);
      const decoded = credential.secretBase64Bytes;
      if (decoded !== null) hmacSlotBase64 = addKey(hmac, alg, decoded);
    }
    // For the one-call check of a bad signature (hmac.checkToken), which finds the credential by the key claim itself.
    hmac.indexCredential(entity.key, alg, hmacSlot, hmacSlotBase64);
  }
  const jwks = isHmac ? null : jwksSource(credential, registry);
  return {
    credential,
    key: entity.key,
    alg,
    isHmac,
    hmacSlot,
    hmacSlotBase64,
    publicKey: credential.publicKey,
    jwks,
    identity: credentialIdentity(credential),
  };
}

/** Prepares every credential of the config; HMAC keys are registered with `hmac` up front. */
export function createCredentialKeys(config: CompiledConfig, hmac: HmacVerifier, jwks?: JwksRegistry): CredentialKeys {
  const byKey = new Map<string, PreparedCredential>();
  for (const [key, credential] of config.credentialsByKey) byKey.set(key, prepare(credential, hmac, jwks));
  return {
    get: (key: string) => byKey.get(key),
    size: byKey.size,
  };
}
