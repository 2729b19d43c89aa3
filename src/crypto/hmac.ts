// HMAC-SHA2 JWT signature verification: the native addon when it loads, node:crypto otherwise (same results).
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { AuthStatus } from '../auth/auth-status.js';
import type { HmacAlgorithm, JwtAlgorithm } from '../config/types.js';
import { NATIVE_ALG, TOKEN_CHECK, VERIFY_CODE, checkTokenArgs, nativeAddon, type NativeAlg, type NativeKeyring } from '../native/addon.js';
import { SEXTET, base64urlDataEnd } from './base64url.js';

export interface HmacVerifier {
  readonly engine: 'native' | 'node:crypto';
  /** Precomputes key state for one credential's secret; returns the slot to verify with. */
  addKey(algorithm: HmacAlgorithm, secret: Buffer): number;
  /**
   * One call per token: `token` is the whole compact JWT, `signingInputLength` the index of its second '.'.
   * Strictly base64url-decodes the signature segment (no '+', '/', bad length; '=' padding optional),
   * computes the HMAC over token[0, signingInputLength) and compares in constant time.
   * `ok` on a match; anything else (mismatch, malformed, unknown slot) is `invalidSignature`.
   */
  verify(slot: number, token: string, signingInputLength: number): HmacStatus;
  /** Indexes an HMAC credential by its key for checkToken (config time; slots may be NO_KEY / NO_SECRET). */
  indexCredential(key: string, alg: HmacAlgorithm, slot: number, slotBase64: number): void;
  /** The id checkToken takes for a key claim name; -1 when this engine has no one-call check. */
  claimNameId(name: string): number;
  /**
   * The one-call check of a token whose header segment decoded to `headerAlg` (native/src/token_check.h): payload,
   * key claim `claimNameId`, indexed credential and MAC. TOKEN_CHECK.MISMATCH only where the full jwt flow would
   * answer `Invalid signature`; MATCH or UNSURE otherwise (the node:crypto engine is always UNSURE). Never throws.
   */
  checkToken(token: string, headerAlg: JwtAlgorithm, claimNameId: number, secretIsBase64: boolean): number;
}

/** The same check with the detailed result code (see VERIFY_CODE): lets tests prove both engines fail alike. */
export interface HmacCodeVerifier extends HmacVerifier {
  /** 1 match, 0 mismatch, negative when malformed; identical for both engines. */
  verifyCode(slot: number, token: string, signingInputLength: number): number;
}

/** What an HMAC check answers (a plain number, as every step of the jwt stage does). */
export type HmacStatus = typeof AuthStatus.ok | typeof AuthStatus.invalidSignature;

/** Longest token either engine verifies (native kMaxTokenLength); the token decoder's MAX_TOKEN_LENGTH too. */
export const HMAC_MAX_TOKEN_LENGTH = 131072;
/** Longest secret accepted by addKey. */
export const HMAC_MAX_SECRET_LENGTH = 65536;

export { VERIFY_CODE };

const MATCH = VERIFY_CODE.MATCH;
/** The AuthStatus of a verify code: only a match is `ok`. */
const statusOf = (code: number): HmacStatus => (code === MATCH ? AuthStatus.ok : AuthStatus.invalidSignature);

const HASHES: Readonly<Record<HmacAlgorithm, { native: number; hash: string; macLength: number }>> = {
  HS256: { native: NATIVE_ALG.HS256, hash: 'sha256', macLength: 32 },
  HS384: { native: NATIVE_ALG.HS384, hash: 'sha384', macLength: 48 },
  HS512: { native: NATIVE_ALG.HS512, hash: 'sha512', macLength: 64 },
};

const NON_ASCII = /[^\x00-\x7f]/;

function checkKey(algorithm: HmacAlgorithm, secret: Buffer): (typeof HASHES)[HmacAlgorithm] {
  const spec = Object.hasOwn(HASHES, algorithm) ? HASHES[algorithm] : undefined;
  if (spec === undefined) throw new RangeError(`unsupported HMAC algorithm: ${String(algorithm)}`);
  if (!(secret instanceof Uint8Array)) throw new TypeError('HMAC secret must be a Buffer');
  if (secret.length > HMAC_MAX_SECRET_LENGTH) throw new RangeError('HMAC secret longer than 64 KiB');
  return spec;
}

/** Decodes validated base64url token[start, end) into out (sized exactly); unused low bits are ignored. */
function decodeInto(token: string, start: number, end: number, out: Buffer): void {
  let o = 0;
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const v =
      (SEXTET[token.charCodeAt(i)]! << 18) |
      (SEXTET[token.charCodeAt(i + 1)]! << 12) |
      (SEXTET[token.charCodeAt(i + 2)]! << 6) |
      SEXTET[token.charCodeAt(i + 3)]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 0xff;
    out[o++] = v & 0xff;
  }
  const rem = end - i;
  if (rem >= 2) {
    let v = (SEXTET[token.charCodeAt(i)]! << 18) | (SEXTET[token.charCodeAt(i + 1)]! << 12);
    if (rem === 3) v |= SEXTET[token.charCodeAt(i + 2)]! << 6;
    out[o++] = v >> 16;
    if (rem === 3) out[o] = (v >> 8) & 0xff;
  }
}

interface FallbackKey {
  readonly hash: string;
  readonly key: KeyObject;
  readonly macLength: number;
  /** Reused buffer for the decoded signature (verification is synchronous, one at a time). */
  readonly given: Buffer;
}

function createFallbackVerifier(): HmacCodeVerifier {
  const keys: FallbackKey[] = [];
  const verifyCode = (slot: number, token: string, signingInputLength: number): number => {
    if (typeof token !== 'string' || typeof signingInputLength !== 'number') return VERIFY_CODE.BAD_ARGUMENT;
    const key = Number.isInteger(slot) && slot >= 0 ? keys[slot] : undefined;
    if (key === undefined) return VERIFY_CODE.BAD_SLOT;
    const length = token.length;
    if (length > HMAC_MAX_TOKEN_LENGTH) return VERIFY_CODE.TOO_LONG;
    if (NON_ASCII.test(token)) return VERIFY_CODE.NOT_ASCII;
    const sil = Math.trunc(signingInputLength);
    if (!(sil >= 0 && sil < length) || token.charCodeAt(sil) !== 46) return VERIFY_CODE.STRUCTURE;
    const first = token.indexOf('.');
    if (first >= sil || token.indexOf('.', first + 1) !== sil) return VERIFY_CODE.STRUCTURE;
    const end = base64urlDataEnd(token, sil + 1, length);
    if (end < 0) return VERIFY_CODE.BAD_SIGNATURE;
    const n = end - sil - 1;
    const decodedLength = ((n / 4) | 0) * 3 + (n % 4 === 0 ? 0 : (n % 4) - 1);
    if (decodedLength !== key.macLength) return VERIFY_CODE.MISMATCH;
    decodeInto(token, sil + 1, end, key.given);
    const mac = createHmac(key.hash, key.key).update(token.substring(0, sil), 'latin1').digest();
    return timingSafeEqual(mac, key.given) ? VERIFY_CODE.MATCH : VERIFY_CODE.MISMATCH;
  };
  return {
    engine: 'node:crypto',
    addKey(algorithm, secret) {
      const spec = checkKey(algorithm, secret);
      keys.push({
        hash: spec.hash,
        key: createSecretKey(Buffer.from(secret)),
        macLength: spec.macLength,
        given: Buffer.alloc(spec.macLength),
      });
      return keys.length - 1;
    },
    verify: (slot, token, signingInputLength) => statusOf(verifyCode(slot, token, signingInputLength)),
    verifyCode,
    indexCredential() {},
    claimNameId: () => -1,
    checkToken: () => TOKEN_CHECK.UNSURE,
  };
}

/** The addon's number for an HMAC algorithm, -1 for any other (a switch: the request path's check asks per token). */
function nativeHmacAlg(alg: JwtAlgorithm): number {
  switch (alg) {
    case 'HS256':
      return HASHES.HS256.native;
    case 'HS384':
      return HASHES.HS384.native;
    case 'HS512':
      return HASHES.HS512.native;
  }
  return -1;
}

function createNativeVerifier(keyring: NativeKeyring): HmacCodeVerifier {
  return {
    engine: 'native',
    addKey(algorithm, secret) {
      return keyring.addKey(checkKey(algorithm, secret).native as 0 | 1 | 2, secret);
    },
    verify: (slot, token, signingInputLength) => statusOf(keyring.verify(slot, token, signingInputLength)),
    verifyCode: (slot, token, signingInputLength) => keyring.verify(slot, token, signingInputLength),
    indexCredential(key, alg, slot, slotBase64) {
      keyring.indexCredential?.(key, HASHES[alg].native as NativeAlg, slot, slotBase64);
    },
    // An addon built before the one-call check has none: every check is then UNSURE.
    claimNameId: (name) => keyring.claimNameId?.(name) ?? -1,
    checkToken(token, headerAlg, claimNameId, secretIsBase64) {
      const alg = nativeHmacAlg(headerAlg);
      if (alg < 0 || claimNameId < 0) return TOKEN_CHECK.UNSURE;
      return keyring.checkToken!(token, checkTokenArgs(alg as NativeAlg, claimNameId, secretIsBase64));
    },
  };
}

/**
 * One verifier per config generation: its keys live as long as it does. Uses the native addon unless
 * it is unavailable or `forceFallback` is set; both engines give identical results.
 */
export function createHmacVerifier(options?: { forceFallback?: boolean }): HmacCodeVerifier {
  if (nativeAddon !== null && options?.forceFallback !== true) {
    return createNativeVerifier(new nativeAddon.Keyring());
  }
  return createFallbackVerifier();
}
