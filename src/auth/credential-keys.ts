// Prepares each credential's key material once per config generation: HMAC slots (raw and base64) or a public KeyObject.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CompiledConfig, CompiledCredential, HmacAlgorithm, JwtAlgorithm } from '../config/types.js';
import type { HmacVerifier } from '../crypto/hmac.js';
import { decodeBase64url } from './token-decoder.js';

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
  /** Public key for RS*, PS*, ES*, EdDSA; null → `Invalid key/secret`. */
  readonly publicKey: KeyObject | null;
}

export interface CredentialKeys {
  get(key: string): PreparedCredential | undefined;
  readonly size: number;
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

function prepare(credential: CompiledCredential, hmac: HmacVerifier): PreparedCredential {
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
      const decoded = secret !== null ? decodeBase64url(secret) : credential.secretBase64Bytes;
      if (decoded !== null) hmacSlotBase64 = addKey(hmac, alg as HmacAlgorithm, decoded);
    }
  } else {
    // rsa_public_key is used as is, never base64-decoded (Kong ≥ 3.9); an ES* key may be missing or garbage.
    publicKey = credential.publicKey ?? parseKey(entity.rsa_public_key);
  }
  return { credential, key: entity.key, alg, isHmac, hmacSlot, hmacSlotBase64, publicKey };
}

/** Prepares every credential of the config; HMAC keys are registered with `hmac` up front. */
export function createCredentialKeys(config: CompiledConfig, hmac: HmacVerifier): CredentialKeys {
  const byKey = new Map<string, PreparedCredential>();
  for (const [key, credential] of config.credentialsByKey) byKey.set(key, prepare(credential, hmac));
  return {
    get: (key: string) => byKey.get(key),
    size: byKey.size,
  };
}
