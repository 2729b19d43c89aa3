// Gathers the JWT candidates of one request per plugin config (query, cookies, headers) into Kong's distinct set.
import type { JwtPluginConfig } from '../config/types.js';
import type { AuthRequest } from './types.js';
import { AuthStatus } from './auth-status.js';

/** The AuthStatus when the set does not hold exactly one token string. */
export const NO_TOKEN = AuthStatus.noToken;
export const MULTIPLE_TOKENS = AuthStatus.multipleTokens;
/** The only entry is OpenResty's boolean `true` of a bare `?jwt`. */
export const UNRECOGNIZABLE_TOKEN = AuthStatus.unrecognizableToken;
export type ExtractFailure = typeof NO_TOKEN | typeof MULTIPLE_TOKENS | typeof UNRECOGNIZABLE_TOKEN;

export interface TokenExtractor {
  /** The single token string, or the AuthStatus of why there is none. */
  extract(request: AuthRequest): string | ExtractFailure;
}

/** OpenResty's get_uri_args default (lua_max_uri_args): arguments after the 100th are not seen. */
export const MAX_QUERY_ARGS = 100;

// Kong's PCRE `\s*[Bb]earer\s+(.+)`, unanchored; PCRE's \s and . are ASCII-only (no UCP), '.' stops at LF only.
const BEARER = /[Bb]earer[\t\n\v\f\r ]+([^\n]+)/;
// Marker for the bare-key `true` entry; a symbol can never equal a token string.
const BARE = Symbol('bare-query-arg');

function isPcreSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Kong's header rule; fast path for the usual `Bearer <token>`. */
export function bearerToken(raw: string): string | undefined {
  // nginx strips trailing spaces/tabs from header values before Kong sees them.
  let end = raw.length;
  while (end > 0 && (raw.charCodeAt(end - 1) === 32 || raw.charCodeAt(end - 1) === 9)) end--;
  const value = end === raw.length ? raw : raw.slice(0, end);
  const c0 = value.charCodeAt(0);
  // PCRE's `.` stops at LF (found by the fuzzer; neither engine lets LF into a header value, so the scan is a formality).
  if (
    (c0 === 66 || c0 === 98) &&
    value.startsWith('earer ', 1) &&
    value.length > 7 &&
    !isPcreSpace(value.charCodeAt(7)) &&
    value.indexOf('\n', 8) < 0
  ) {
    return value.slice(7);
  }
  const m = BEARER.exec(value);
  return m === null ? undefined : m[1];
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** ngx.unescape_uri for query args: `+` is a space, `%XX` a byte, a malformed `%` stays literal. */
export function unescapeQueryValue(s: string): string {
  if (s.indexOf('%') < 0) return s.indexOf('+') < 0 ? s : s.replace(/\+/g, ' ');
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43) {
      bytes.push(32);
      continue;
    }
    if (c === 37 && i + 2 < s.length) {
      const h = hexVal(s.charCodeAt(i + 1));
      const l = hexVal(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        bytes.push(h * 16 + l);
        i += 2;
        continue;
      }
    }
    if (c < 128) bytes.push(c);
    else for (const b of Buffer.from(s[i]!, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** ASCII-only lower case, as nginx folds names (ngx_strlow): other letters keep their case. */
export function asciiLowerCase(s: string): string {
  return /[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s;
}

/** Whether s[i, i + lowerName.length) spells `lowerName` with ASCII letters in either case (nginx's ngx_strncasecmp). */
function spellsCaseless(s: string, i: number, lowerName: string): boolean {
  if (s.length - i < lowerName.length) return false;
  for (let k = 0; k < lowerName.length; k++) {
    let c = s.charCodeAt(i + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerName.charCodeAt(k)) return false;
  }
  return true;
}

/**
 * nginx's `$cookie_<name>` in one Cookie header (ngx_http_parse_multi_header_lines): the first cookie whose name
 * matches (`lowerName` lower case, ASCII letters compared in either case), its value up to ';' (trailing spaces kept,
 * not decoded); undefined when none. Cookies are separated by ';' or ',' and the spaces after it, spaces may stand
 * around '=', and a value may hold ','. A name followed by anything but spaces and '=' is skipped together with that
 * character, as nginx does (so `jwt;jwt=x` finds nothing).
 */
export function cookieValue(header: string, lowerName: string): string | undefined {
  const len = header.length;
  let i = 0;
  while (i < len) {
    if (spellsCaseless(header, i, lowerName)) {
      i += lowerName.length;
      while (i < len && header.charCodeAt(i) === 32) i++;
      if (i < len && header.charCodeAt(i++) === 61 /* = */) {
        while (i < len && header.charCodeAt(i) === 32) i++;
        const end = header.indexOf(';', i);
        return header.slice(i, end < 0 ? len : end);
      }
    }
    // Not this cookie: on past the next ';' or ',' and the spaces after it.
    while (i < len) {
      const c = header.charCodeAt(i++);
      if (c === 59 /* ; */ || c === 44 /* , */) break;
    }
    while (i < len && header.charCodeAt(i) === 32) i++;
  }
  return undefined;
}

/**
 * nginx's `$cookie_<name>` over every Cookie header in arrival order (HTTP/2 clients send each cookie as its own
 * header; nginx reads them all): the first match, even an empty one.
 */
export function requestCookie(headers: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== 'cookie') continue;
    const value = cookieValue(headers[i + 1]!, lowerName);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Builds the extractor for one plugin config; names are prepared once. */
export function createTokenExtractor(config: JwtPluginConfig): TokenExtractor {
  const uriNames = new Set(config.uri_param_names);
  const uriNamesList = [...uriNames];
  const cookieNames = [...new Set(config.cookie_names.map(asciiLowerCase))];
  const headerNames = [...new Set(config.header_names.map((n) => n.toLowerCase()))];
  const checkQuery = uriNames.size > 0;
  const checkCookies = cookieNames.length > 0;

  return {
    extract(request: AuthRequest): string | ExtractFailure {
      let found: string | typeof BARE | undefined;

      const query = request.query;
      // Cheap pre-check: no configured name occurs anywhere in the raw query (names are compared after decoding,
      // so a name with '%' or '+' in the query still takes the slow path).
      if (checkQuery && query.length > 0 && queryMayHold(query, uriNamesList)) {
        let start = 0;
        let args = 0;
        while (start <= query.length && args < MAX_QUERY_ARGS) {
          let amp = query.indexOf('&', start);
          if (amp < 0) amp = query.length;
          if (amp > start) {
            args++;
            const eq = query.indexOf('=', start);
            const hasValue = eq >= 0 && eq < amp;
            const rawName = query.slice(start, hasValue ? eq : amp);
            const name = unescapeQueryValue(rawName);
            if (uriNames.has(name)) {
              if (!hasValue) {
                if (found === undefined) found = BARE;
                else if (found !== BARE) return MULTIPLE_TOKENS;
              } else if (eq + 1 < amp) {
                const value = unescapeQueryValue(query.slice(eq + 1, amp));
                if (value !== '') {
                  if (found === undefined) found = value;
                  else if (found !== value) return MULTIPLE_TOKENS;
                }
              }
            }
          }
          start = amp + 1;
        }
      }

      if (checkCookies) {
        for (const name of cookieNames) {
          const value = requestCookie(request.headers, name);
          if (value !== undefined && value !== '') {
            if (found === undefined) found = value;
            else if (found !== value) return MULTIPLE_TOKENS;
          }
        }
      }

      for (let i = 0; i < headerNames.length; i++) {
        const value = request.header(headerNames[i]!);
        if (value === undefined) continue;
        const token = bearerToken(value);
        if (token !== undefined && token !== '') {
          if (found === undefined) found = token;
          else if (found !== token) return MULTIPLE_TOKENS;
        }
      }

      if (found === undefined) return NO_TOKEN;
      return found === BARE ? UNRECOGNIZABLE_TOKEN : found;
    },
  };
}

function queryMayHold(query: string, names: readonly string[]): boolean {
  if (query.indexOf('%') >= 0 || query.indexOf('+') >= 0) return true;
  for (let i = 0; i < names.length; i++) if (query.indexOf(names[i]!) >= 0) return true;
  return false;
}
