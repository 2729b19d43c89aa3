// Splits and decodes a compact JWT the way Kong's jwt_parser does: strict base64url, JSON, alg check, Kong's error order.
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../config/types.js';
import { AuthStatus } from './auth-status.js';
import { base64urlDataEnd } from '../crypto/base64url.js';
import { HMAC_MAX_TOKEN_LENGTH } from '../crypto/hmac.js';
import { isObject } from '../config/validate-context.js';

/**
 * Longest token decoded at all (128 Ki characters, the HMAC engines' limit too); longer ones are refused with
 * `Bad token; invalid JSON`. Big enough for a 48 KiB claim (real IdP tokens with many groups), small enough that
 * JSON.parse stays well under a millisecond.
 */
export const MAX_TOKEN_LENGTH = HMAC_MAX_TOKEN_LENGTH;

export interface DecodedToken {
  /** The JOSE header; always a plain object here. */
  readonly header: Record<string, unknown>;
  /** The claims; a JSON array or string payload is exposed as an empty object (Lua indexing finds nothing). */
  readonly claims: Record<string, unknown>;
  readonly alg: JwtAlgorithm;
  /** Index of the second '.', i.e. the length of `<header>.<payload>`, the signing input. */
  readonly signingInputLength: number;
  /** Signature segment as [start, end) in the token; end stops at the first '=' (nginx ignores the rest). */
  readonly signatureStart: number;
  readonly signatureEnd: number;
}

/** Either a decoded token or the AuthStatus of Kong's `Bad token; ...` answer. */
export type DecodeResult = DecodedToken | AuthStatus;

const ALGORITHMS: ReadonlyMap<string, JwtAlgorithm> = new Map(JWT_ALGORITHMS.map((a) => [a, a]));
const EMPTY_CLAIMS: Record<string, unknown> = Object.freeze(Object.create(null)) as Record<string, unknown>;

/** Bytes a base64url data part of `length` characters decodes to at most. */
const decodedBound = (length: number): number => ((length * 3) >> 2) + 3;

/** Decodes one base64url JSON segment through `scratch` (big enough for it); undefined when base64url or JSON fails. */
function decodeJsonSegment(token: string, start: number, end: number, scratch: Buffer): unknown {
  const dataEnd = base64urlDataEnd(token, start, end);
  if (dataEnd < 0) return undefined;
  const n = scratch.write(token.slice(start, dataEnd), 0, 'base64url');
  const text = scratch.toString('utf8', 0, n);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Reads an own property only, so `constructor`/`__proto__` as a claim name never reaches the prototype. */
export function ownValue(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? obj[name] : undefined;
}

/** Decodes compact JWTs; one per thread's authenticator (it keeps a scratch buffer and the last JOSE header). */
export interface TokenDecoder {
  decode(token: string): DecodeResult;
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
  return {
    decode(token: string): DecodeResult {
      if (token.length > MAX_TOKEN_LENGTH) return AuthStatus.badTokenJson;
      const dot1 = token.indexOf('.');
      if (dot1 < 0) return AuthStatus.badTokenJson;
      const dot2 = token.indexOf('.', dot1 + 1);
      if (dot2 < 0) return AuthStatus.badTokenJson;
      if (decodedBound(dot2) > scratch.length) scratch = Buffer.allocUnsafe(Math.max(decodedBound(dot2), 2 * scratch.length));

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
      const payload = decodeJsonSegment(token, dot1 + 1, dot2, scratch);
      if (payload === undefined) return AuthStatus.badTokenJson;
      if (!remembered) {
        alg = algOf(header);
        if (alg === undefined) return AuthStatus.badTokenAlg;
        lastSegment = token.slice(0, dot1);
        lastHeader = Object.freeze(header as Record<string, unknown>);
        lastAlg = alg;
      }
      return decoded(token, header as Record<string, unknown>, payload, alg!, dot2);
    },
  };
}

/** Kong: a JSON string or array header has no `alg` (invalid alg); null/number/boolean make it crash (500), answered
 * here with the same nearest message. */
function algOf(header: unknown): JwtAlgorithm | undefined {
  if (!isObject(header)) return undefined;
  const algValue = ownValue(header, 'alg');
  return typeof algValue === 'string' ? ALGORITHMS.get(algValue) : undefined;
}

/** The checks after the header and payload decoded: claims shape, signature alphabet. */
function decoded(token: string, header: Record<string, unknown>, payload: unknown, alg: JwtAlgorithm, dot2: number): DecodeResult {
  // Kong: only `false` is "invalid claims"; null/number/true crash it later (500) — refused here instead.
  let claims: Record<string, unknown>;
  if (isObject(payload)) claims = payload;
  else if (Array.isArray(payload) || typeof payload === 'string') claims = EMPTY_CLAIMS;
  else return AuthStatus.badTokenClaims;

  // The third part keeps any further dots, which then fail the alphabet check.
  const signatureEnd = base64urlDataEnd(token, dot2 + 1, token.length);
  if (signatureEnd < 0) return AuthStatus.badTokenSignature;

  return { header, claims, alg, signingInputLength: dot2, signatureStart: dot2 + 1, signatureEnd };
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
