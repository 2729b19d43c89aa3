// Splits and decodes a compact JWT the way Kong's jwt_parser does: strict base64url, JSON, alg check, Kong's error order.
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../config/types.js';
import { AuthStatus } from './auth-status.js';
import { base64urlDataEnd } from '../crypto/base64url.js';
import { HMAC_MAX_TOKEN_LENGTH } from '../crypto/hmac.js';
import { isObject } from '../config/validate-context.js';
import { scanKeyClaim, SCAN_UNSURE } from './claim-scan.js';

/**
 * Longest token decoded at all (128 Ki characters, the HMAC engines' limit too); longer ones are refused with
 * `Bad token; invalid JSON`. Big enough for a 48 KiB claim (real IdP tokens with many groups), small enough that
 * JSON.parse stays well under a millisecond.
 */
export const MAX_TOKEN_LENGTH = HMAC_MAX_TOKEN_LENGTH;

export interface DecodedToken {
  /** The JOSE header; always a plain object here. */
  readonly header: Record<string, unknown>;
  /**
   * The claims; a JSON array or string payload is exposed as an empty object (Lua indexing finds nothing). Parsed on
   * first read when the decoder only scanned the payload for its key claim (claim-scan.ts).
   */
  readonly claims: Record<string, unknown>;
  readonly alg: JwtAlgorithm;
  /** Index of the second '.', i.e. the length of `<header>.<payload>`, the signing input. */
  readonly signingInputLength: number;
  /** Signature segment as [start, end) in the token; end stops at the first '=' (nginx ignores the rest). */
  readonly signatureStart: number;
  readonly signatureEnd: number;
  /** An own claim's value (ownValue of the claims); the key claim the decoder scanned for is read without parsing. */
  claim(name: string): unknown;
}

/** Either a decoded token or the AuthStatus of Kong's `Bad token; ...` answer. */
export type DecodeResult = DecodedToken | AuthStatus;

const ALGORITHMS: ReadonlyMap<string, JwtAlgorithm> = new Map(JWT_ALGORITHMS.map((a) => [a, a]));
const EMPTY_CLAIMS: Record<string, unknown> = Object.freeze(Object.create(null)) as Record<string, unknown>;

/** Bytes a base64url data part of `length` characters decodes to at most. */
const decodedBound = (length: number): number => ((length * 3) >> 2) + 3;

/** Decodes base64url token[start, end) into `scratch` (big enough for it): the byte count, or -1 when it is not base64url. */
function decodeSegment(token: string, start: number, end: number, scratch: Buffer): number {
  const dataEnd = base64urlDataEnd(token, start, end);
  return dataEnd < 0 ? -1 : scratch.write(token.slice(start, dataEnd), 0, 'base64url');
}

/** JSON.parse of scratch[0, n) as UTF-8; undefined when it is not JSON. */
function parseJson(scratch: Buffer, n: number): unknown {
  const text = scratch.toString('utf8', 0, n);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Decodes one base64url JSON segment through `scratch` (big enough for it); undefined when base64url or JSON fails. */
function decodeJsonSegment(token: string, start: number, end: number, scratch: Buffer): unknown {
  const n = decodeSegment(token, start, end, scratch);
  return n < 0 ? undefined : parseJson(scratch, n);
}

/** Reads an own property only, so `constructor`/`__proto__` as a claim name never reaches the prototype. */
export function ownValue(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

/** Decodes compact JWTs; one per thread's authenticator (it keeps a scratch buffer and the last JOSE header). */
export interface TokenDecoder {
  /**
   * `keyClaimName`: the claim the caller reads before the signature (the plugin's key_claim_name). When given, a
   * payload the claim scanner is sure of is not parsed until its claims are read (a refused token's never are).
   */
  decode(token: string, keyClaimName?: string): DecodeResult;
  /**
   * The algorithm of the token's JOSE header when its first segment is the one the last successful decode remembered
   * (so it is known to decode to an object with that `alg`); null otherwise. Reads nothing else of the token.
   */
  rememberedAlg(token: string): JwtAlgorithm | null;
}

/** Scratch bytes a decoder starts with; grown (once per larger token size) up to MAX_TOKEN_LENGTH's bound. */
const SCRATCH_BYTES = 2048;

/**
 * The request path's decoder. The tokens a deployment sees share one JOSE header segment, or a few: the last one
 * that decoded to an object with a known `alg` is remembered with that result, so a token whose first segment is
 * the same string skips its base64url and JSON work (a bad-signature refusal decodes both segments of every token).
 * Segments decode into one scratch buffer instead of a Buffer each. Results are decodeToken's, in Kong's order.
 */
export function createTokenDecoder(): TokenDecoder {
  let scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
  let lastSegment = '';
  // The remembered header is handed to every token that has the same segment: frozen, nobody can change it.
  let lastHeader: Record<string, unknown> = EMPTY_CLAIMS;
  let lastAlg: JwtAlgorithm = 'HS256';
  // The last key claim the scanner read: the next token of the same credential gets the same string back.
  let lastKeyClaim = '';
  // Counts the decodes that wrote into `scratch`. A token whose claims are read before the next one (a first
  // verification reads them right after the signature) parses the payload bytes its decode left there.
  let scratchWrites = 0;

  const ensureScratch = (signingInputLength: number): void => {
    const need = decodedBound(signingInputLength);
    if (need > scratch.length) scratch = Buffer.allocUnsafe(Math.max(need, 2 * scratch.length));
  };
  /**
   * The claims of a payload the scanner vouched for, parsed when first read: from the scratch bytes its decode left
   * when no write came since (`write`, `bytes`), else decoded again (other tokens decoded in between).
   */
  const parseScanned = (token: string, start: number, end: number, write: number, bytes: number): Record<string, unknown> => {
    let claims: unknown;
    if (write === scratchWrites) claims = parseJson(scratch, bytes);
    else {
      scratchWrites++;
      ensureScratch(end);
      claims = decodeJsonSegment(token, start, end, scratch);
    }
    // Cannot happen (the fuzzer holds the scanner to JSON.parse's verdict); fails closed if it ever did.
    if (!isObject(claims)) throw new Error('claim scan accepted a payload JSON.parse refuses');
    return claims;
  };

  return {
    rememberedAlg(token: string): JwtAlgorithm | null {
      const n = lastSegment.length;
      // The remembered segment holds no '.', so this is decode's own test: the first '.' right after it.
      return n > 0 && token.charCodeAt(n) === 46 && token.startsWith(lastSegment) ? lastAlg : null;
    },
    decode(token: string, keyClaimName?: string): DecodeResult {
      if (token.length > MAX_TOKEN_LENGTH) return AuthStatus.badTokenJson;
      const dot1 = token.indexOf('.');
      if (dot1 < 0) return AuthStatus.badTokenJson;
      const dot2 = token.indexOf('.', dot1 + 1);
      if (dot2 < 0) return AuthStatus.badTokenJson;
      scratchWrites++;
      ensureScratch(dot2);

      let header: unknown;
      let alg: JwtAlgorithm | undefined;
      const remembered = dot1 === lastSegment.length && dot1 > 0 && token.startsWith(lastSegment);
      if (remembered) {
        header = lastHeader;
        alg = lastAlg;
      } else {
        header = decodeJsonSegment(token, 0, dot1, scratch);
        if (header === undefined) return AuthStatus.badTokenJson;
      }
      const n = decodeSegment(token, dot1 + 1, dot2, scratch);
      if (n < 0) return AuthStatus.badTokenJson;
      const scanned = keyClaimName === undefined ? SCAN_UNSURE : scanKeyClaim(scratch, n, keyClaimName, lastKeyClaim);
      if (typeof scanned === 'string') lastKeyClaim = scanned;
      let payload: unknown;
      if (scanned === SCAN_UNSURE) {
        payload = parseJson(scratch, n);
        if (payload === undefined) return AuthStatus.badTokenJson;
      }
      if (!remembered) {
        alg = algOf(header);
        if (alg === undefined) return AuthStatus.badTokenAlg;
        lastSegment = token.slice(0, dot1);
        lastHeader = Object.freeze(header as Record<string, unknown>);
        lastAlg = alg;
      }
      // Kong: only `false` is "invalid claims"; null/number/true crash it later (500) — refused here instead.
      // null: the scanner vouched for an object, parsed when first read.
      let claims: Record<string, unknown> | null = null;
      if (scanned === SCAN_UNSURE) {
        if (isObject(payload)) claims = payload;
        else if (Array.isArray(payload) || typeof payload === 'string') claims = EMPTY_CLAIMS;
        else return AuthStatus.badTokenClaims;
      }

      // The third part keeps any further dots, which then fail the alphabet check.
      const signatureEnd = base64urlDataEnd(token, dot2 + 1, token.length);
      if (signatureEnd < 0) return AuthStatus.badTokenSignature;
      const scannedName = claims === null ? keyClaimName! : null;
      const scannedValue = scanned === SCAN_UNSURE ? undefined : scanned;
      return new Decoded(
        token,
        header as Record<string, unknown>,
        alg!,
        dot1,
        dot2,
        signatureEnd,
        claims,
        scannedName,
        scannedValue,
        scratchWrites,
        n,
        parseScanned,
      );
    },
  };
}

/** A decoded token; claims the scanner vouched for are parsed on first read. */
class Decoded implements DecodedToken {
  readonly signatureStart: number;
  private parsed: Record<string, unknown> | null;
  constructor(
    private readonly token: string,
    readonly header: Record<string, unknown>,
    readonly alg: JwtAlgorithm,
    private readonly payloadDot: number,
    readonly signingInputLength: number,
    readonly signatureEnd: number,
    claims: Record<string, unknown> | null,
    /** The claim the scanner read (null when the claims were parsed at once), and its value. */
    private readonly scannedName: string | null,
    private readonly scannedValue: string | undefined,
    /** The decoder's scratch write that left this payload's `payloadBytes` bytes at the scratch's start. */
    private readonly scratchWrite: number,
    private readonly payloadBytes: number,
    private readonly parseScanned: (token: string, start: number, end: number, write: number, bytes: number) => Record<string, unknown>,
  ) {
    this.signatureStart = signingInputLength + 1;
    this.parsed = claims;
  }

  get claims(): Record<string, unknown> {
    if (this.parsed === null)
      this.parsed = this.parseScanned(this.token, this.payloadDot + 1, this.signingInputLength, this.scratchWrite, this.payloadBytes);
    return this.parsed;
  }

  claim(name: string): unknown {
    return name === this.scannedName ? this.scannedValue : ownValue(this.claims, name);
  }
}

/** Kong: a JSON string or array header has no `alg` (invalid alg); null/number/boolean make it crash (500), answered
 * here with the same nearest message. */
function algOf(header: unknown): JwtAlgorithm | undefined {
  if (!isObject(header)) return undefined;
  const algValue = ownValue(header, 'alg');
  return typeof algValue === 'string' ? ALGORITHMS.get(algValue) : undefined;
}

/** Decodes without verifying (a fresh decoder each call: explain, tests). Errors in Kong's order: JSON/base64 of header
 * and payload, alg, claims, signature. */
export function decodeToken(token: string): DecodeResult {
  return createTokenDecoder().decode(token);
}

/** The decoded signature bytes of a token that `decodeToken` accepted. */
export function signatureBytes(token: string, decoded: DecodedToken): Buffer {
  return Buffer.from(token.slice(decoded.signatureStart, decoded.signatureEnd), 'base64url');
}
