// nginx's base64url rule (Kong >= 3.5) as Portcullis applies it everywhere: the alphabet table and the data-part scan.

/** base64url sextet per char code, -1 outside A-Za-z0-9-_ (the same table as native/src/jwt_core.cc). */
export const SEXTET = new Int8Array(128).fill(-1);
for (let i = 0; i < 26; i++) {
  SEXTET[65 + i] = i;
  SEXTET[97 + i] = 26 + i;
}
for (let i = 0; i < 10; i++) SEXTET[48 + i] = 52 + i;
SEXTET[45] = 62;
SEXTET[95] = 63;

/** A run of url-alphabet chars; sticky, so it matches from lastIndex in place (no slice). */
const ALPHABET_RUN = /[A-Za-z0-9_-]*/y;

/**
 * End of the base64url data part of s[start, end): scan up to the first '=', every char before it must
 * be in the url alphabet, and that length must not be 1 mod 4. -1 when nginx would refuse it.
 * The run is found by the regex engine: about 2.5× faster than a charCodeAt loop over a 150-char segment.
 */
export function base64urlDataEnd(s: string, start: number, end: number): number {
  ALPHABET_RUN.lastIndex = start;
  ALPHABET_RUN.test(s);
  const i = Math.min(ALPHABET_RUN.lastIndex, end);
  if (i < end && s.charCodeAt(i) !== 61) return -1;
  return (i - start) % 4 === 1 ? -1 : i;
}

/** Strict base64url decode of a whole string (for `secret_is_base64` secrets); null when nginx would refuse it. */
export function decodeBase64url(s: string): Buffer | null {
  const end = base64urlDataEnd(s, 0, s.length);
  if (end < 0) return null;
  return Buffer.from(end === s.length ? s : s.slice(0, end), 'base64url');
}
