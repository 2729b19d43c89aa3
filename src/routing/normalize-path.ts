// Kong's request-path normalization: decode unreserved %XX, keep reserved ones upper-case, resolve dot segments, merge slashes.

// Class of each ASCII code in a request path.
const PLAIN = 0; // sent as is: unreserved, or a reserved character Kong leaves raw
const ESCAPE = 1; // Kong re-escapes it before proxying (space, quotes, controls, ...)
const PERCENT = 2;
const SLASH = 3;

const CLASS = new Uint8Array(128).fill(ESCAPE);
/** Unreserved characters (RFC 3986): a `%XX` of one of these is decoded. */
const UNRESERVED = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-_.~]/.test(ch)) {
    UNRESERVED[c] = 1;
    CLASS[c] = PLAIN;
  } else if ("!#$&'()*+,:;=?@[]".includes(ch)) {
    CLASS[c] = PLAIN;
  }
}
CLASS[0x25] = PERCENT;
CLASS[0x2f] = SLASH;

const HEX = '0123456789ABCDEF';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Normalizes a request path (query already removed) the way Kong does before routing and
 * proxying. The result is both what routes are matched against and what is sent upstream, so it
 * stays a valid request-target: `%XX` of unreserved characters is decoded, every other `%XX`
 * stays encoded with upper-case hex, raw characters Kong would re-escape (space, `"`, non-ASCII
 * as UTF-8, ...) are percent-encoded, `.`/`..` segments are resolved (never above the root) and
 * runs of `/` are merged. Returns null when the path does not start with `/`, has a malformed
 * `%` escape, or encodes NUL (nginx answers 400 to those).
 * A path that needs none of this is returned as the same string.
 */
export function normalizePath(rawPath: string): string | null {
  const len = rawPath.length;
  if (len === 0 || rawPath.charCodeAt(0) !== 0x2f) return null;
  for (let i = 0; i < len; i++) {
    const c = rawPath.charCodeAt(i);
    if (c >= 128) return normalizeSlow(rawPath);
    const k = CLASS[c];
    if (k === PLAIN) continue;
    if (k === SLASH) {
      const next = rawPath.charCodeAt(i + 1);
      if (next === 0x2f || next === 0x2e) return normalizeSlow(rawPath);
      continue;
    }
    return normalizeSlow(rawPath);
  }
  return rawPath;
}

function normalizeSlow(rawPath: string): string | null {
  const len = rawPath.length;
  let out = '';
  let runStart = 0; // start of the pending run of characters copied unchanged
  for (let i = 0; i < len; i++) {
    const c = rawPath.charCodeAt(i);
    if (c < 128 && CLASS[c] !== PERCENT && CLASS[c] !== ESCAPE) continue;
    out += rawPath.slice(runStart, i);
    if (c === 0x25) {
      const hi = i + 2 < len ? hexValue(rawPath.charCodeAt(i + 1)) : -1;
      const lo = hi >= 0 ? hexValue(rawPath.charCodeAt(i + 2)) : -1;
      if (lo < 0) return null;
      const byte = hi * 16 + lo;
      if (byte === 0) return null;
      out += byte < 128 && UNRESERVED[byte] === 1 ? String.fromCharCode(byte) : `%${HEX[hi]}${HEX[lo]}`;
      i += 2;
      runStart = i + 1;
    } else if (c < 128) {
      out += `%${HEX[c >> 4]}${HEX[c & 15]}`;
      runStart = i + 1;
    } else {
      let end = i + 1;
      while (end < len && rawPath.charCodeAt(end) >= 128) end++;
      try {
        out += encodeURIComponent(rawPath.slice(i, end));
      } catch {
        return null; // lone surrogate: not encodable as UTF-8
      }
      i = end - 1;
      runStart = end;
    }
  }
  out += rawPath.slice(runStart);
  if (out.indexOf('//') === -1 && out.indexOf('/.') === -1) return out;
  return resolveSegments(out);
}

/** RFC 3986 remove_dot_segments with empty segments merged; a trailing `.`/`..`/`` keeps a trailing `/`. */
function resolveSegments(path: string): string {
  const segments = path.split('/');
  const last = segments.length - 1;
  const kept: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i <= last; i++) {
    const s = segments[i]!;
    if (s === '..') {
      kept.pop();
      if (i === last) trailingSlash = true;
    } else if (s === '.' || s === '') {
      if (i === last) trailingSlash = true;
    } else {
      kept.push(s);
    }
  }
  if (kept.length === 0) return '/';
  return `/${kept.join('/')}${trailingSlash ? '/' : ''}`;
}
