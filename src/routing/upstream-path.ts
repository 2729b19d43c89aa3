// Kong's v0 upstream path: the service path joined with what is left of the request path after strip_path.

/** Kong's sanitize_uri_postfix: a leading `./` or `../` is dropped; `.` or `..` alone becomes empty. */
function sanitizeRest(rest: string): string {
  if (rest.length === 0 || rest.charCodeAt(0) !== 0x2e) return rest;
  if (rest === '.' || rest === '..') return '';
  if (rest.startsWith('./')) return rest.slice(2);
  if (rest.startsWith('../')) return rest.slice(3);
  return rest;
}

/**
 * The upstream path (no query) for a normalized request path `req`.
 * `base` is the service path (`/` when unset); `matchedLength` is how many leading characters
 * of `req` the route path matched (prefix length, or the regex match length), or -1 when the
 * route matched without a path (that behaves as a matched `/`).
 */
export function upstreamPathV0(base: string, req: string, matchedLength: number, stripPath: boolean): string {
  const baseEndsWithSlash = base.charCodeAt(base.length - 1) === 0x2f;
  if (!stripPath) {
    if (baseEndsWithSlash) return base.length === 1 ? req : base + req.slice(1);
    return req === '/' ? base : base + req;
  }
  const rest = sanitizeRest(req.slice(matchedLength < 0 ? 1 : matchedLength));
  if (baseEndsWithSlash) {
    if (rest.length === 0) {
      if (base.length === 1) return '/';
      return req.charCodeAt(req.length - 1) === 0x2f ? base : base.slice(0, -1);
    }
    if (rest.charCodeAt(0) === 0x2f) return base.length === 1 ? rest : base.slice(0, -1) + rest;
    return base + rest;
  }
  if (rest.length === 0) {
    return req.length > 1 && req.charCodeAt(req.length - 1) === 0x2f ? `${base}/` : base;
  }
  if (rest.charCodeAt(0) === 0x2f) return base + rest;
  return `${base}/${rest}`;
}

/**
 * The X-Forwarded-Prefix value Kong sends: the matched path text when strip_path is on and it
 * is not `/`; null otherwise (the header is then not sent).
 */
export function forwardedPrefixOf(req: string, matchedLength: number, stripPath: boolean): string | null {
  if (!stripPath || matchedLength <= 0) return null;
  if (matchedLength === 1 && req.charCodeAt(0) === 0x2f) return null;
  return req.slice(0, matchedLength);
}
