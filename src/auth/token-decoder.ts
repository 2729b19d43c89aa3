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

function decodeJsonSegment(token: string, start: number, end: number): unknown {
  const dataEnd = base64urlDataEnd(token, start, end);
  if (dataEnd < 0) return undefined;
  const text = Buffer.from(token.slice(start, dataEnd), 'base64url').toString('utf8');
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

/** Decodes without verifying. Errors in Kong's order: JSON/base64 of header and payload, alg, claims, signature. */
export function decodeToken(token: string): DecodeResult {
  if (token.length > MAX_TOKEN_LENGTH) return AuthStatus.badTokenJson;
  const dot1 = token.indexOf('.');
  if (dot1 < 0) return AuthStatus.badTokenJson;
  const dot2 = token.indexOf('.', dot1 + 1);
  if (dot2 < 0) return AuthStatus.badTokenJson;

  const header = decodeJsonSegment(token, 0, dot1);
  if (header === undefined) return AuthStatus.badTokenJson;
  const payload = decodeJsonSegment(token, dot1 + 1, dot2);
  if (payload === undefined) return AuthStatus.badTokenJson;

  // Kong: a JSON string or array header has no `alg` (invalid alg); null/number/boolean make it crash (500),
  // answered here with the same nearest message.
  if (!isObject(header)) return AuthStatus.badTokenAlg;
  const algValue = ownValue(header, 'alg');
  const alg = typeof algValue === 'string' ? ALGORITHMS.get(algValue) : undefined;
  if (alg === undefined) return AuthStatus.badTokenAlg;

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

/** The decoded signature bytes of a token that `decodeToken` accepted. */
export function signatureBytes(token: string, decoded: DecodedToken): Buffer {
  return Buffer.from(token.slice(decoded.signatureStart, decoded.signatureEnd), 'base64url');
}
