// Rebuilds the request a front proxy is asking about (Traefik forwardAuth, nginx auth_request, Envoy ext_authz) from its subrequest.
import type { AuthRequest } from '../auth/types.js';
import type { RouteQuery } from '../routing/types.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';

export type AuthorizerSource = 'auto' | 'traefik' | 'nginx' | 'envoy';

/** The original request as the route table and the jwt stage see it; the subrequest's headers are the client's. */
export class OriginalRequest implements AuthRequest, RouteQuery {
  method = '';
  host = '';
  /** Raw path as the client sent it (no query); `path` is filled after normalizing it. */
  url = '';
  path = '';
  query = '';
  listenPort = 0;
  /** Which front proxy's shape was read (for logs and the access log). */
  source: 'traefik' | 'nginx' | 'envoy' = 'envoy';
  constructor(readonly subrequest: RequestSnapshot) {}

  header(lowerCaseName: string): string | undefined {
    return this.subrequest.header(lowerCaseName);
  }

  get headers(): readonly string[] {
    return this.subrequest.headers;
  }
}

/** The subrequest does not describe a request (a source's headers missing or not a path): 400. */
export const BAD_SHAPE = 0;
/** The Envoy path lacks the configured path_prefix: no route can match, 404. */
export const OUTSIDE_PREFIX = 1;

/** Splits `path?query` into the request; false when it is not an origin-form target. */
function setTarget(o: OriginalRequest, uri: string): boolean {
  if (uri.charCodeAt(0) !== 47 /* / */) return false;
  const q = uri.indexOf('?');
  o.url = q < 0 ? uri : uri.slice(0, q);
  o.query = q < 0 ? '' : uri.slice(q + 1);
  return true;
}

/** A port from X-Forwarded-Port, else the scheme's default (Kong matches a port-less Host against the listener's port). */
function portOf(value: string | undefined, proto: string | undefined): number {
  if (value !== undefined && /^[0-9]{1,5}$/.test(value)) return Number(value);
  return proto !== undefined && proto.toLowerCase() === 'https' ? 443 : 80;
}

function fromTraefik(o: OriginalRequest, s: RequestSnapshot, uri: string | undefined): boolean {
  o.source = 'traefik';
  o.method = s.header('x-forwarded-method') ?? s.method;
  o.host = s.header('x-forwarded-host') ?? s.host;
  o.listenPort = portOf(s.header('x-forwarded-port'), s.header('x-forwarded-proto'));
  return setTarget(o, uri ?? '/');
}

/**
 * nginx sets X-Original-URI/-Method itself; ingress-nginx sends X-Original-URL (`scheme://host/uri`) and points
 * Host at the authorizer, so the URL's authority is the original host when it is present.
 */
function fromNginx(o: OriginalRequest, s: RequestSnapshot, uri: string | undefined, url: string | undefined): boolean {
  o.source = 'nginx';
  o.method = s.header('x-original-method') ?? s.method;
  o.host = s.host;
  let target = uri;
  let proto: string | undefined;
  if (url !== undefined) {
    const scheme = url.indexOf('://');
    if (scheme > 0) {
      proto = url.slice(0, scheme);
      const slash = url.indexOf('/', scheme + 3);
      const query = url.indexOf('?', scheme + 3);
      const end = slash < 0 ? (query < 0 ? url.length : query) : query >= 0 && query < slash ? query : slash;
      o.host = url.slice(scheme + 3, end);
      target ??= end === url.length ? '/' : url.charCodeAt(end) === 63 ? `/${url.slice(end)}` : url.slice(end);
    }
  }
  o.listenPort = portOf(undefined, proto);
  return target !== undefined && setTarget(o, target);
}

function fromEnvoy(o: OriginalRequest, s: RequestSnapshot, prefix: string): boolean | typeof OUTSIDE_PREFIX {
  o.source = 'envoy';
  o.method = s.method;
  o.host = s.host;
  o.listenPort = portOf(s.header('x-forwarded-port'), s.header('x-forwarded-proto'));
  o.query = s.query;
  const url = s.url;
  if (prefix === '') {
    o.url = url;
    return true;
  }
  // `/authz` must be followed by the path's own `/` (or nothing): `/authzfoo` is outside the prefix.
  if (!url.startsWith(prefix) || (url.length > prefix.length && url.charCodeAt(prefix.length) !== 47)) return OUTSIDE_PREFIX;
  o.url = url.length === prefix.length ? '/' : url.slice(prefix.length);
  return true;
}

/** The original request, or BAD_SHAPE / OUTSIDE_PREFIX. Sources are tried in the documented order unless one is pinned. */
export function reconstructRequest(
  s: RequestSnapshot,
  source: AuthorizerSource,
  prefix: string,
): OriginalRequest | typeof BAD_SHAPE | typeof OUTSIDE_PREFIX {
  const o = new OriginalRequest(s);
  const ok = readSource(o, s, source, prefix);
  if (ok === OUTSIDE_PREFIX) return OUTSIDE_PREFIX;
  return ok ? o : BAD_SHAPE;
}

function readSource(o: OriginalRequest, s: RequestSnapshot, source: AuthorizerSource, prefix: string): boolean | typeof OUTSIDE_PREFIX {
  if (source === 'auto' || source === 'traefik') {
    const uri = s.header('x-forwarded-uri');
    if (uri !== undefined || s.header('x-forwarded-method') !== undefined) return fromTraefik(o, s, uri);
    if (source === 'traefik') return false;
  }
  if (source === 'auto' || source === 'nginx') {
    const uri = s.header('x-original-uri');
    const url = s.header('x-original-url');
    if (uri !== undefined || url !== undefined || s.header('x-original-method') !== undefined) return fromNginx(o, s, uri, url);
    if (source === 'nginx') return false;
  }
  return fromEnvoy(o, s, prefix);
}
