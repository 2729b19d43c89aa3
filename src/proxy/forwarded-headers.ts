// Builds the upstream request's header list: hop-by-hop dropped, Host, X-Forwarded-*, Via, request id, identity headers.
import type { RouteMatch } from '../routing/types.js';
import { headerValue } from './header-value.js';

/** What the header builder reads of the client request (RequestSnapshot satisfies it). */
export interface InboundRequest {
  /** Flat [name, value, ...], lower-case names. */
  readonly headers: readonly string[];
  /** First Host header, '' when absent. */
  readonly host: string;
  /** Raw request path without the query (X-Forwarded-Path). */
  readonly url: string;
  readonly remoteAddress: string;
}

/** Per listener constants. */
export interface ForwardContext {
  /** The gateway's listening port as text (X-Forwarded-Port). */
  readonly listenPort: string;
  /** `http`, or `https` on a TLS listener (X-Forwarded-Proto). */
  readonly proto: 'http' | 'https';
  /** `1.1 portcullis/<version>`. */
  readonly via: string;
}

/**
 * Who the request is, as the upstream sees it: headers the pipeline's auth side built once per credential or
 * verified token (an allow of the jwt stage is one). The proxy copies them and knows nothing of tokens or policies.
 */
export interface UpstreamIdentity {
  /** Flat [name, value, ...]: consumer headers, X-Credential-Identifier or X-Anonymous-Consumer, claim and payload headers. */
  readonly identityHeaders: readonly string[];
  /** The verified token, which `hide` rules take out of client headers; null for the anonymous consumer. */
  readonly token: string | null;
}

/** hide_credentials, prepared by the auth side: what of a client header goes upstream when the request carries `token`. */
export interface CredentialFilter {
  /** The value to forward (unchanged, or a Cookie header without the token's cookies), or null to drop the header. */
  forwardedValue(name: string, value: string, token: string): string | null;
}

/** A route's rules for client headers, from its jwt policy (prepared once per config generation); null when it sets none. */
export interface ClientHeaderRules {
  /** Lower-case names the gateway itself sets from a token: client copies are dropped whatever the decision. */
  readonly strip: ReadonlySet<string>;
  /** Applied only when an identity with a token goes upstream; null when the route hides nothing. */
  readonly hide: CredentialFilter | null;
}

const enum Action {
  Keep,
  Drop,
  Forwarded,
  Via,
  Te,
  Consumer,
}

function classify(name: string): Action {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'proxy':
    case 'host':
    case 'expect':
    case 'x-forwarded-proto':
    case 'x-forwarded-host':
    case 'x-forwarded-port':
    case 'x-forwarded-path':
    case 'x-forwarded-prefix':
    case 'x-real-ip':
    case 'x-kong-request-id':
    case 'trailer':
      return Action.Drop;
    case 'x-forwarded-for':
      return Action.Forwarded;
    case 'via':
      return Action.Via;
    case 'te':
      return Action.Te;
    case 'x-consumer-id':
    case 'x-consumer-username':
    case 'x-consumer-custom-id':
    case 'x-credential-identifier':
    case 'x-anonymous-consumer': // IDENTITY_HEADER_NAMES
      return Action.Consumer;
  }
  return Action.Keep;
}

/** Names listed in the client's Connection header other than keep-alive/close, or null (the usual case). */
function connectionListed(headers: readonly string[]): string[] | null {
  let listed: string[] | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    if (headers[i] !== 'connection') continue;
    for (const token of headers[i + 1]!.split(',')) {
      const t = token.trim().toLowerCase();
      if (t === '' || t === 'keep-alive' || t === 'close') continue;
      (listed ??= []).push(t);
    }
  }
  return listed;
}

/**
 * uWS decodes the request target as UTF-8, undici writes it back as latin1 (and rejects code points above
 * U+00FF): re-express non-ASCII text as its UTF-8 bytes so the upstream sees what the client sent, as Kong does.
 */
export const wireBytes = headerValue;

/**
 * A query with non-ASCII text (uWS decodes it as UTF-8) percent-encoded as UTF-8: raw non-ASCII is not a valid
 * request-target (undici rejects it, node:http upstreams answer 400). ASCII queries are returned unchanged.
 */
export function asciiQuery(query: string): string {
  let i = 0;
  while (i < query.length && query.charCodeAt(i) <= 0x7e) i++;
  if (i === query.length) return query;
  let out = query.slice(0, i);
  while (i < query.length) {
    let end = i;
    while (end < query.length && query.charCodeAt(end) > 0x7e) end++;
    try {
      out += encodeURIComponent(query.slice(i, end));
    } catch {
      out += '%EF%BF%BD'; // a lone surrogate: U+FFFD, as uWS does for invalid UTF-8
    }
    i = end;
    while (end < query.length && query.charCodeAt(end) <= 0x7e) end++;
    out += query.slice(i, end);
    i = end;
  }
  return out;
}

/** `$host`: the Host header lower-cased, port removed (IPv6 brackets kept). */
export function hostWithoutPort(host: string): string {
  let end = host.length;
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && host.indexOf(']', colon) === -1) end = colon;
  return host.slice(0, end).toLowerCase();
}

/**
 * `identity` null means the jwt stage did not run or bypassed: client consumer headers pass untouched.
 * Returns a flat [name, value, ...] list for undici.
 */
export function buildUpstreamHeaders(
  req: InboundRequest,
  match: RouteMatch,
  requestId: string,
  identity: UpstreamIdentity | null,
  rules: ClientHeaderRules | null,
  ctx: ForwardContext,
): string[] {
  const inHeaders = req.headers;
  const out: string[] = [];
  // Null (one check) unless the route's jwt plugin sets claims_to_headers, forward_payload_header or
  // hide_credentials. The stripped names go whatever the decision, so a client can never spoof one.
  const token = identity === null ? null : identity.token;
  const hide = rules !== null && token !== null ? rules.hide : null;
  let xff: string | null = null;
  let via: string | null = null;
  let hasConnection = false;
  for (let i = 0; i < inHeaders.length; i += 2) {
    const name = inHeaders[i]!;
    const value = inHeaders[i + 1]!;
    switch (classify(name)) {
      case Action.Keep:
        if (rules === null) out.push(name, value);
        else if (!rules.strip.has(name)) {
          if (hide === null) out.push(name, value);
          else {
            const kept = hide.forwardedValue(name, value, token!);
            if (kept !== null) out.push(name, kept);
          }
        }
        break;
      case Action.Drop:
        if (name === 'connection') {
          // Only a Connection header naming other headers needs parsing; `keep-alive`/`close` are the norm.
          const v = value.toLowerCase();
          if (v !== 'keep-alive' && v !== 'close') hasConnection = true;
        }
        break;
      case Action.Forwarded:
        xff = xff === null ? value : `${xff}, ${value}`;
        break;
      case Action.Via:
        via = via === null ? value : `${via}, ${value}`;
        break;
      case Action.Te:
        if (value.toLowerCase().includes('trailers')) out.push('te', 'trailers');
        break;
      case Action.Consumer:
        if (identity === null) out.push(name, value);
        break;
    }
  }
  if (hasConnection) {
    const listed = connectionListed(inHeaders);
    if (listed !== null) {
      for (let i = out.length - 2; i >= 0; i -= 2) if (listed.includes(out[i]!)) out.splice(i, 2);
    }
  }
  const route = match.route;
  const host = route.entity.preserve_host && req.host !== '' ? req.host : route.service!.hostHeader;
  const ip = req.remoteAddress;
  out.push(
    'host',
    host,
    'x-forwarded-for',
    xff === null ? ip : `${xff}, ${ip}`,
    'x-forwarded-proto',
    ctx.proto,
    'x-forwarded-host',
    hostWithoutPort(req.host),
    'x-forwarded-port',
    ctx.listenPort,
    'x-forwarded-path',
    wireBytes(req.url),
    'x-real-ip',
    ip,
    'via',
    via === null ? ctx.via : `${via}, ${ctx.via}`,
    'x-kong-request-id',
    requestId,
  );
  if (match.forwardedPrefix !== null) out.push('x-forwarded-prefix', match.forwardedPrefix);
  if (identity !== null) {
    const own = identity.identityHeaders;
    for (let i = 0; i < own.length; i++) out.push(own[i]!);
  }
  return out;
}

/** The names buildUpstreamHeaders itself sets that undici does not know (registered with it: known-header-names.ts). */
export const FORWARDED_HEADER_NAMES: readonly string[] = [
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-path',
  'x-forwarded-prefix',
  'x-real-ip',
  'x-kong-request-id',
];

/** The identity header names the proxy replaces whenever an identity goes upstream (client values never pass). */
export const IDENTITY_HEADER_NAMES: readonly string[] = [
  'x-consumer-id',
  'x-consumer-username',
  'x-consumer-custom-id',
  'x-credential-identifier',
  'x-anonymous-consumer',
];
