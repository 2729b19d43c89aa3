// The jwt policy's upstream rewrites: claims_to_headers, forward_payload_header, and hide_credentials for each token source.
import type { AuthAllow, PolicyHeaders } from '../auth/types.js';
import { claimAt, claimHeaderText, type ClaimHeader, type HiddenCredentials, type UpstreamPolicy } from '../auth/jwt-policy.js';
import { bearerToken, unescapeQueryValue } from '../auth/token-extractor.js';
import type { ForwardContext } from './forwarded-headers.js';
import { HEADER_UNSAFE, headerValue } from './header-value.js';

/**
 * The claim headers and the payload header of a verified token under `policy`, built once when the token is
 * verified: a cache hit then only copies them (no claim lookups, joins or JSON per request).
 */
export function buildPolicyHeaders(policy: UpstreamPolicy, claims: Record<string, unknown>, token: string): PolicyHeaders {
  const headers: string[] = [];
  let unsafe: ClaimHeader[] | null = null;
  const list = policy.claimHeaders;
  for (let i = 0; i < list.length; i++) {
    const h = list[i]!;
    const text = claimHeaderText(claimAt(claims, h.claim, h.path));
    if (text === undefined) continue;
    // Control characters (but tab) and DEL cannot be sent in a header value: such a claim is dropped, never sent.
    if (HEADER_UNSAFE.test(text)) (unsafe ??= []).push(h);
    // Non-ASCII goes as its UTF-8 bytes (undici writes header strings as latin1).
    else headers.push(h.header, headerValue(text));
  }
  if (policy.payloadHeader !== null) {
    const dot1 = token.indexOf('.');
    headers.push(policy.payloadHeader, token.slice(dot1 + 1, token.indexOf('.', dot1 + 1)));
  }
  return Object.freeze({ policy, headers: Object.freeze(headers), unsafe: unsafe === null ? null : Object.freeze(unsafe) });
}

/** Appends the claim headers and the payload header of an allowed token (client copies were already stripped). */
export function appendPolicyHeaders(out: string[], policy: UpstreamPolicy, auth: AuthAllow, ctx: ForwardContext): void {
  // Built when the token was verified, for the policy of the route that verified it; another route's policy
  // (the same token on two routes) builds its own here.
  const built =
    auth.policyHeaders !== undefined && auth.policyHeaders.policy === policy
      ? auth.policyHeaders
      : buildPolicyHeaders(policy, auth.claims ?? NO_CLAIMS, auth.token!);
  const headers = built.headers;
  for (let i = 0; i < headers.length; i++) out.push(headers[i]!);
  if (built.unsafe !== null) for (const h of built.unsafe) ctx.onUnsafeClaim?.(h.header, h.claim);
}

const NO_CLAIMS: Record<string, unknown> = Object.freeze({});

/** hide_credentials for a header: a configured token header whose bearer value is the token is not forwarded. */
export function hiddenCredential(hide: HiddenCredentials, name: string, value: string, token: string): boolean {
  return hide.headers.has(name) && bearerToken(value) === token;
}

/** The Cookie header without the configured cookies that carry the token ('' when nothing is left). */
export function withoutTokenCookies(header: string, lowerNames: readonly string[], token: string): string {
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const pair = part.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(eq + 1).trim() === token && lowerNames.includes(pair.slice(0, eq).trim().toLowerCase())) continue;
    kept.push(pair);
  }
  return kept.join('; ');
}

/** The query without the configured arguments that carry the token (the rest unchanged, in order). */
export function withoutTokenArgs(query: string, names: ReadonlySet<string>, token: string): string {
  if (names.size === 0 || query === '') return query;
  const kept: string[] = [];
  for (const arg of query.split('&')) {
    const eq = arg.indexOf('=');
    if (eq > 0 && names.has(unescapeQueryValue(arg.slice(0, eq))) && unescapeQueryValue(arg.slice(eq + 1)) === token) continue;
    kept.push(arg);
  }
  return kept.join('&');
}
