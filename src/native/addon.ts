// Loads the optional native HMAC addon (build/Release/portcullis_native.node) and reports availability; never throws.
import { createRequire } from 'node:module';
import { mallocTrimThresholdTuned, nativeAddonDisabled } from '../config/environment.js';

/** Algorithm numbers the addon understands. */
export const NATIVE_ALG = { HS256: 0, HS384: 1, HS512: 2 } as const;
export type NativeAlg = (typeof NATIVE_ALG)[keyof typeof NATIVE_ALG];

/** The names of `NativeKeyring.verify`'s result codes (native/src/jwt_core.h's VerifyResult, exported by the addon). */
export interface VerifyCodes {
  readonly MATCH: number;
  readonly MISMATCH: number;
  readonly TOO_LONG: number;
  readonly STRUCTURE: number;
  readonly BAD_SIGNATURE: number;
  readonly NOT_ASCII: number;
  readonly BAD_SLOT: number;
  readonly BAD_ARGUMENT: number;
}

/** The codes when no addon is loaded (its VerifyResult values); a loaded addon's own export replaces them (a test checks they agree). */
const BUILT_IN_VERIFY_CODES: VerifyCodes = Object.freeze({
  MATCH: 1,
  MISMATCH: 0,
  TOO_LONG: -1,
  STRUCTURE: -2,
  BAD_SIGNATURE: -3,
  NOT_ASCII: -4,
  BAD_SLOT: -5,
  BAD_ARGUMENT: -6,
});

/** `NativeKeyring.checkToken`'s answers (native/src/token_check.h's TokenCheckResult, exported by the addon). */
export interface TokenCheckCodes {
  /** The signature matches (the full flow then runs as usual). */
  readonly MATCH: number;
  /** Kong's flow would reach the signature check and fail it: `Invalid signature`, with nothing else to decide. */
  readonly MISMATCH: number;
  /** Anything else: the full flow decides. */
  readonly UNSURE: number;
}

/** The answers when no addon is loaded (TokenCheckResult's values); a loaded addon's own export replaces them. */
const BUILT_IN_TOKEN_CHECK_CODES: TokenCheckCodes = Object.freeze({ MATCH: 1, MISMATCH: 0, UNSURE: -1 });

/**
 * checkToken's second argument: the header's algorithm (bits 0-1), whether the credential's secret is base64 (bit 2)
 * and the key claim's id (from bit 3; the addon has at most 1,024). One integer, because the addon reads each
 * argument with an N-API call of its own.
 */
export function checkTokenArgs(headerAlg: NativeAlg, claimNameId: number, secretIsBase64: boolean): number {
  return headerAlg | (secretIsBase64 ? 4 : 0) | (claimNameId << 3);
}

/** One config generation's HMAC keys; dropped keyrings are freed by GC. */
export interface NativeKeyring {
  /** Precomputes the key state; throws TypeError/RangeError on bad input (config time only). */
  addKey(alg: NativeAlg, secret: Uint8Array): number;
  /** 1 match, 0 mismatch, negative when malformed (see VERIFY_CODE). Never throws. */
  verify(slot: number, token: string, signingInputLength: number): number;
  /** Indexes an HMAC credential by its key for checkToken (slots may be negative: unusable); false when refused. */
  indexCredential?(key: string, alg: NativeAlg, slot: number, slotBase64: number): boolean;
  /** The id of a key claim name for checkToken, -1 when refused. */
  claimNameId?(name: string): number;
  /**
   * The one-call check (native/src/token_check.h): the token's payload, key claim, credential and MAC, for a token
   * whose header segment decoded to the algorithm in `args` (checkTokenArgs). Never throws.
   */
  checkToken?(token: string, args: number): number;
  clear(): void;
  readonly size: number;
}

export interface NativeAddon {
  readonly Keyring: new () => NativeKeyring;
  /** Longest token verified at all (128 KiB, the same as the token decoder's limit). */
  readonly MAX_TOKEN_LENGTH: number;
  readonly MAX_SECRET_LENGTH: number;
  readonly ABI: number;
  /** Result codes of `Keyring.verify`, from the C++ enum (absent from a build older than this export). */
  readonly VERIFY_CODES?: VerifyCodes;
  /** Answers of `Keyring.checkToken` (absent from a build older than the one-call check). */
  readonly TOKEN_CHECK_CODES?: TokenCheckCodes;
  /** Sets glibc malloc's trim threshold; false on other C libraries (absent from a build older than this export). */
  readonly setMallocTrimThreshold?: (bytes: number) => boolean;
  /** A listening SO_REUSEPORT socket on a numeric host: its descriptor or a negative errno (absent from older builds). */
  readonly listenSharedPort?: (numericHost: string, port: number, backlog: number) => number;
  /** Connections waiting in a uWS listen socket's accept queue, -1 when unreadable (Linux builds with it only). */
  readonly uwsListenQueueLength?: (listenSocket: unknown, binaryPath: string) => number;
  /** Calls fn with what it prints through C stdio's stdout discarded (Linux builds with it only). */
  readonly withStdoutDiscarded?: <T>(fn: () => T) => T;
  /** Turns off the `uWebSockets: 20` response header of the listen socket's loop: '' or why not (Linux x86-64). */
  readonly silenceUwsMark?: (listenSocket: unknown, binaryPath: string, tls: boolean) => string;
}

const EXPECTED_ABI = 1;
const ADDON_PATH = '../../build/Release/portcullis_native.node';

function load(): { addon: NativeAddon | null; error: string | null } {
  if (nativeAddonDisabled()) {
    return { addon: null, error: 'disabled by PORTCULLIS_DISABLE_NATIVE=1' };
  }
  try {
    const require = createRequire(import.meta.url);
    const addon = require(ADDON_PATH) as NativeAddon;
    if (addon.ABI !== EXPECTED_ABI || typeof addon.Keyring !== 'function') {
      return { addon: null, error: `stale native addon (ABI ${String(addon.ABI)}, expected ${EXPECTED_ABI}); run npm run build` };
    }
    return { addon, error: null };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { addon: null, error: `native addon not loaded: ${message}` };
  }
}

const loaded = load();

/** The addon, or null when it is not built, failed to load, or PORTCULLIS_DISABLE_NATIVE=1. */
export const nativeAddon: NativeAddon | null = loaded.addon;
/** Why `nativeAddon` is null (one line), else null. */
export const nativeLoadError: string | null = loaded.error;
/** Result codes of a verify, read once from the addon; the node:crypto fallback answers with the same ones. */
export const VERIFY_CODE: VerifyCodes = loaded.addon?.VERIFY_CODES ?? BUILT_IN_VERIFY_CODES;
/** The codes the JS side knows without an addon; exported for the test that holds them equal to the addon's. */
export const BUILT_IN_VERIFY_CODE: VerifyCodes = BUILT_IN_VERIFY_CODES;
/** Answers of the one-call token check, read once from the addon; without one every check is UNSURE. */
export const TOKEN_CHECK: TokenCheckCodes = loaded.addon?.TOKEN_CHECK_CODES ?? BUILT_IN_TOKEN_CHECK_CODES;
/** The answers the JS side knows without an addon, for the test that holds them equal to the addon's. */
export const BUILT_IN_TOKEN_CHECK: TokenCheckCodes = BUILT_IN_TOKEN_CHECK_CODES;

/**
 * Freed heap that each malloc arena keeps instead of handing it back to the system. Node reads every socket into a
 * fresh 64 KiB buffer; with glibc's default (128 KiB) the buffers freed between two garbage collections were
 * returned and mapped again, and the next reads page-faulted on them: measured, 4 MiB was not enough, 32 MiB was.
 */
export const MALLOC_TRIM_THRESHOLD = 32 * 1024 * 1024;

/**
 * Applies MALLOC_TRIM_THRESHOLD to the whole process (once, at gateway start), unless GLIBC_TUNABLES already sets
 * glibc.malloc.trim_threshold. true when it took effect: glibc and a loaded addon.
 */
export function retainFreedHeap(): boolean {
  if (mallocTrimThresholdTuned()) return false;
  return loaded.addon?.setMallocTrimThreshold?.(MALLOC_TRIM_THRESHOLD) ?? false;
}
