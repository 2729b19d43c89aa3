// Proves a decoded JWT payload is a JSON object and finds its key claim, byte by byte, without building the claims.
//
// Why: a refused token (the bad-signature case an attacker sends at will) needs only two facts from its payload before
// the signature check: that JSON.parse would accept it (else Kong answers `Bad token; invalid JSON`) and the value of
// the key claim (`iss`) that names the credential. Building the claims object costs more than verifying the HMAC.
//
// The scan never refuses anything itself: whatever it is not sure of (invalid JSON, non-ASCII bytes, an escape in a
// top-level name or in the key claim's value, a non-string key claim, a non-object payload, deep nesting) answers
// UNSURE, and the caller parses with JSON.parse as before. So it can only differ from JSON.parse by calling valid text
// that JSON.parse would refuse; the fuzzer in test/fuzz holds it to JSON.parse's verdict on every input it tries.

/** The scan is not sure: parse the payload with JSON.parse. */
export const SCAN_UNSURE = null;
/** A valid JSON object without the claim. */
export const SCAN_ABSENT = undefined;

/** Deeper nesting than this is left to JSON.parse (real tokens nest two or three levels). */
const MAX_DEPTH = 32;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const LOWER_E = 101;
const UPPER_E = 69;
const LOWER_U = 117;

/** JSON's four whitespace bytes (JSON.parse accepts no other). */
function skipSpace(b: Uint8Array, i: number, n: number): number {
  while (i < n) {
    const c = b[i]!;
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return i;
    i++;
  }
  return i;
}

const isDigit = (c: number): boolean => c >= DIGIT_0 && c <= DIGIT_9;

function isHex(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Bytes an escape after a backslash at `i` spans (2 or 6), or 0 when JSON has no such escape. */
function escapeLength(b: Uint8Array, i: number, n: number): number {
  if (i + 1 >= n) return 0;
  const c = b[i + 1]!;
  // " \ / b f n r t
  if (c === QUOTE || c === BACKSLASH || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116) return 2;
  if (c === LOWER_U && i + 5 < n && isHex(b[i + 2]!) && isHex(b[i + 3]!) && isHex(b[i + 4]!) && isHex(b[i + 5]!)) return 6;
  return 0;
}

/**
 * Index after the closing quote of the string opening at `i`; negated when the string holds an escape (the index is
 * at least 2, so the negation is too); -1 when it is not a JSON string of ASCII without control characters.
 */
function stringEnd(b: Uint8Array, i: number, n: number): number {
  let escaped = false;
  i++;
  while (i < n) {
    const c = b[i]!;
    if (c === QUOTE) return escaped ? -(i + 1) : i + 1;
    if (c < 32 || c > 127) return -1;
    if (c === BACKSLASH) {
      const len = escapeLength(b, i, n);
      if (len === 0) return -1;
      escaped = true;
      i += len;
    } else i++;
  }
  return -1;
}

/** Index after the number starting at `i`, or -1 (JSON's grammar: no leading zeros, no bare dot, no `+`). */
function numberEnd(b: Uint8Array, i: number, n: number): number {
  if (b[i] === MINUS) i++;
  if (i >= n) return -1;
  if (b[i] === DIGIT_0) i++;
  else if (isDigit(b[i]!)) while (i < n && isDigit(b[i]!)) i++;
  else return -1;
  if (i < n && b[i] === DOT) {
    i++;
    if (i >= n || !isDigit(b[i]!)) return -1;
    while (i < n && isDigit(b[i]!)) i++;
  }
  if (i < n && (b[i] === LOWER_E || b[i] === UPPER_E)) {
    i++;
    if (i < n && (b[i] === PLUS || b[i] === MINUS)) i++;
    if (i >= n || !isDigit(b[i]!)) return -1;
    while (i < n && isDigit(b[i]!)) i++;
  }
  return i;
}

/** Index after `word` at `i`, or -1. */
function literalEnd(b: Uint8Array, i: number, n: number, word: string): number {
  if (i + word.length > n) return -1;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) return -1;
  return i + word.length;
}

/** Index after the JSON value starting at `i` (no leading space), or -1. */
function valueEnd(b: Uint8Array, i: number, n: number, depth: number): number {
  if (i >= n) return -1;
  const c = b[i]!;
  if (c === QUOTE) {
    const end = stringEnd(b, i, n);
    return end === -1 ? -1 : Math.abs(end);
  }
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) return depth >= MAX_DEPTH ? -1 : containerEnd(b, i, n, depth + 1);
  if (c === MINUS || isDigit(c)) return numberEnd(b, i, n);
  if (c === 116) return literalEnd(b, i, n, 'true');
  if (c === 102) return literalEnd(b, i, n, 'false');
  if (c === 110) return literalEnd(b, i, n, 'null');
  return -1;
}

/** Index after the object or array opening at `i`, or -1. */
function containerEnd(b: Uint8Array, i: number, n: number, depth: number): number {
  const isObject = b[i] === OPEN_OBJECT;
  const close = isObject ? CLOSE_OBJECT : CLOSE_ARRAY;
  i = skipSpace(b, i + 1, n);
  if (i < n && b[i] === close) return i + 1;
  for (;;) {
    if (isObject) {
      if (i >= n || b[i] !== QUOTE) return -1;
      i = stringEnd(b, i, n);
      if (i === -1) return -1;
      i = skipSpace(b, Math.abs(i), n);
      if (i >= n || b[i] !== COLON) return -1;
      i = skipSpace(b, i + 1, n);
    }
    i = valueEnd(b, i, n, depth);
    if (i < 0) return -1;
    i = skipSpace(b, i, n);
    if (i >= n) return -1;
    if (b[i] === close) return i + 1;
    if (b[i] !== COMMA) return -1;
    i = skipSpace(b, i + 1, n);
  }
}

/** Whether bytes [start, end) are `name`'s characters. */
function bytesAre(b: Uint8Array, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (b[start + k] !== name.charCodeAt(k)) return false;
  return true;
}

/**
 * The key claim of the JSON object in bytes[0, n): its value when it is a string without escapes, SCAN_ABSENT when
 * the object has no such member, SCAN_UNSURE when JSON.parse must decide. `name` is plain ASCII. `previous` is a
 * value an earlier scan returned: when the bytes spell it again (tokens of one credential), it is returned itself,
 * which saves making a string (a native call) and lets the credential lookup reuse its cached hash.
 */
export function scanKeyClaim(b: Buffer, n: number, name: string, previous = ''): string | typeof SCAN_ABSENT | typeof SCAN_UNSURE {
  let i = skipSpace(b, 0, n);
  if (i >= n || b[i] !== OPEN_OBJECT) return SCAN_UNSURE;
  // JSON.parse keeps the last of duplicate names: so does the scan.
  let valueStart = -1;
  let valueStop = -1;
  i = skipSpace(b, i + 1, n);
  if (i < n && b[i] === CLOSE_OBJECT) i++;
  else {
    for (;;) {
      if (i >= n || b[i] !== QUOTE) return SCAN_UNSURE;
      const nameStart = i + 1;
      i = stringEnd(b, i, n);
      // An escaped name might spell the claim's name: JSON.parse decides.
      if (i < 0) return SCAN_UNSURE;
      const isClaim = bytesAre(b, nameStart, i - 1, name);
      i = skipSpace(b, i, n);
      if (i >= n || b[i] !== COLON) return SCAN_UNSURE;
      i = skipSpace(b, i + 1, n);
      if (isClaim) {
        // Only a plain string value is read here; an escaped or non-string one goes to JSON.parse.
        if (i >= n || b[i] !== QUOTE) return SCAN_UNSURE;
        valueStart = i + 1;
        i = stringEnd(b, i, n);
        if (i < 0) return SCAN_UNSURE;
        valueStop = i - 1;
      } else {
        i = valueEnd(b, i, n, 1);
        if (i < 0) return SCAN_UNSURE;
      }
      i = skipSpace(b, i, n);
      if (i >= n) return SCAN_UNSURE;
      if (b[i] === CLOSE_OBJECT) {
        i++;
        break;
      }
      if (b[i] !== COMMA) return SCAN_UNSURE;
      i = skipSpace(b, i + 1, n);
    }
  }
  // Nothing but whitespace may follow the object.
  if (skipSpace(b, i, n) !== n) return SCAN_UNSURE;
  if (valueStart < 0) return SCAN_ABSENT;
  return bytesAre(b, valueStart, valueStop, previous) ? previous : b.toString('latin1', valueStart, valueStop);
}
