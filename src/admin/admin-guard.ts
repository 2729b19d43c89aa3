// Admits or refuses each request on an admin listener: cross-site requests (Origin, Sec-Fetch-Site), DNS rebinding (Host), Kong-Admin-Token.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { createTokenCheck, isLoopbackHost, sendJson } from './admin-http.js';
import { ADMIN_MESSAGES } from './entities/kong-errors.js';
import type { GatewaySettings } from '../config/types.js';

export interface AdminGuardPolicy {
  /** Required Kong-Admin-Token; null = none. */
  token: string | null;
  /** Canonical origins (`scheme://host[:port]`) a browser may call from. */
  allowedOrigins: readonly string[];
  /** Extra names accepted in `Host` (lower case, no port). */
  allowedHosts: readonly string[];
  /** The address the listener is bound to (its literal is accepted in `Host`). */
  listenHost: string;
}

export interface AdminGuardCounters {
  /** Requests refused with 401: Kong-Admin-Token missing or wrong. */
  authFailures: number;
  /** Requests refused with 403: `origin` (Origin not allowed / Sec-Fetch-Site cross-site or same-site), `host`. */
  refusedOrigin: number;
  refusedHost: number;
}

export interface GuardLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface AdminGuard {
  /**
   * true: go on serving (CORS headers already set for an allowed origin). false: the request has been
   * answered (403, 401, or 204 to an allowed CORS preflight) and must not be served.
   */
  admit(req: IncomingMessage, res: ServerResponse): boolean;
  /** Swaps the policy (a reload changed the token, a token file or an allowed list). */
  update(policy: AdminGuardPolicy): void;
  readonly counters: Readonly<AdminGuardCounters>;
}

/** The policy a gateway section and its resolved token (admin-token.ts) ask for. */
export function guardPolicy(gateway: GatewaySettings, token: string | null): AdminGuardPolicy {
  return {
    token,
    allowedOrigins: gateway.admin_allowed_origins,
    allowedHosts: gateway.admin_allowed_hosts,
    // The first admin_listen entry decides whether the listener is bound to every address.
    listenHost: gateway.admin_listen?.[0]?.host ?? '',
  };
}

export const FORBIDDEN_MESSAGE = 'Forbidden';
const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const CORS_HEADERS = 'Content-Type, Kong-Admin-Token';
const CORS_MAX_AGE = '600';

/** Strips the port and brackets and lower-cases: `[::1]:8001` → `::1`; null when it is not a valid Host value. */
export function hostName(host: string): string | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s/@]+))(?::\d{0,5})?$/.exec(host);
  if (!m) return null;
  return (m[1] ?? m[2]!).toLowerCase().replace(/\.$/, '');
}

function isUnspecified(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function sanitize(value: string): string {
  return value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

export function createAdminGuard(initial: AdminGuardPolicy, logger?: GuardLogger): AdminGuard {
  const counters: AdminGuardCounters = { authFailures: 0, refusedOrigin: 0, refusedHost: 0 };
  let policy = initial;
  let tokenOk = createTokenCheck(initial.token);
  let origins = new Set(initial.allowedOrigins);
  let names = acceptedNames(initial);
  let anyAddress = isUnspecified(initial.listenHost);

  function acceptedNames(p: AdminGuardPolicy): Set<string> {
    const set = new Set(['localhost', ...p.allowedHosts]);
    const own = p.listenHost.toLowerCase();
    if (own !== '' && !isUnspecified(own)) set.add(own);
    return set;
  }

  /**
   * Browsers always send Host, and a rebound page always sends the attacker's name in it; a request
   * without Host (HTTP/1.0 scripts) cannot come from a browser, so it passes. Two Host headers never pass.
   */
  function hostAllowed(req: IncomingMessage): boolean {
    if (policy.token !== null && policy.allowedHosts.length === 0) return true;
    let count = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]!.toLowerCase() === 'host') count++;
    if (count === 0) return true;
    if (count > 1) return false;
    const name = hostName(req.headers.host ?? '');
    if (name === null) return false;
    // An IP literal cannot be rebound; on 0.0.0.0 / :: every local address is the listener's (probes use the pod IP).
    return names.has(name) || (isLoopbackHost(name) && name !== 'localhost') || (anyAddress && isIP(name) !== 0);
  }

  function peerOf(req: IncomingMessage): Record<string, unknown> {
    return { peer: req.socket.remoteAddress ?? null, method: req.method, path: (req.url ?? '/').split('?', 1)[0] };
  }

  function refuse(req: IncomingMessage, res: ServerResponse, reason: 'origin' | 'host', detail: Record<string, unknown>): false {
    if (reason === 'origin') counters.refusedOrigin++;
    else counters.refusedHost++;
    logger?.warn(
      { ...peerOf(req), reason, ...detail },
      `admin request refused (403): ${reason === 'origin' ? 'cross-site request' : 'Host is not an address of this listener'}`,
    );
    req.resume();
    res.setHeader('Connection', 'close');
    sendJson(req, res, 403, { message: FORBIDDEN_MESSAGE });
    return false;
  }

  return {
    counters,
    update(next) {
      policy = next;
      tokenOk = createTokenCheck(next.token);
      origins = new Set(next.allowedOrigins);
      names = acceptedNames(next);
      anyAddress = isUnspecified(next.listenHost);
    },
    admit(req, res) {
      if (!hostAllowed(req)) return refuse(req, res, 'host', { host: sanitize(String(req.headers.host ?? '')) });
      const origin = req.headers.origin;
      if (origin !== undefined) {
        if (!origins.has(origin)) return refuse(req, res, 'origin', { origin: sanitize(origin) });
        res.setHeader('Access-Control-Allow-Origin', origin);
        res.setHeader('Vary', 'Origin');
        if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
          req.resume();
          res.writeHead(204, {
            'Access-Control-Allow-Methods': CORS_METHODS,
            'Access-Control-Allow-Headers': CORS_HEADERS,
            'Access-Control-Max-Age': CORS_MAX_AGE,
          });
          res.end();
          return false;
        }
      } else {
        const site = req.headers['sec-fetch-site']?.toLowerCase();
        if (site === 'cross-site' || site === 'same-site') return refuse(req, res, 'origin', { sec_fetch_site: site });
      }
      if (!tokenOk(req)) {
        counters.authFailures++;
        logger?.warn(
          { ...peerOf(req), reason: req.headers['kong-admin-token'] === undefined ? 'missing' : 'wrong' },
          'admin token check failed (401)',
        );
        req.resume();
        sendJson(req, res, 401, { message: ADMIN_MESSAGES.invalidAdminToken });
        return false;
      }
      return true;
    },
  };
}
