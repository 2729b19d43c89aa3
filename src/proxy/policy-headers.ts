// The jwt policy's upstream rewrites: claims_to_headers, forward_payload_header, and hide_credentials for each token source.
import type { AuthAllow } from '../auth/types.js';
import { claimAt, claimHeaderText, type HiddenCredentials, type UpstreamPolicy } from '../auth/jwt-policy.js';
import { bearerToken, unescapeQueryValue } from '../auth/token-extractor.js';
import type { ForwardContext } from './forwarded-headers.js';
import { HEADER_UNSAFE, headerValue } from './header-value.js';

/** Appends the claim headers and the payload header of an allowed token (client copies were already stripped). */
export function appendPolicyHeaders(out: string[], policy: UpstreamPolicy, auth: AuthAllow, ctx: ForwardContext): void {
  const claims = auth.claims;
  const list = policy.claimHeaders;
  if (claims !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const h = list[i]!;
      const text = claimHeaderText(claimAt(claims as Record<string, unknown>, h.claim, h.path));
      if (text === undefined) continue;
      // Control characters (but tab) and DEL cannot be sent in a header value: such a claim is dropped, never sent.
      if (HEADER_UNSAFE.test(text)) {
        ctx.onUnsafeClaim?.(h.header, h.claim);
        continue;
      }
      // Non-ASCII goes as its UTF-8 bytes (undici writes header strings as latin1).
      out.push(h.header, headerValue(text));
    }
  }
  if (policy.payloadHeader !== null) {
    const token = auth.token!;
    const dot1 = token.indexOf('.');
    out.push(policy.payloadHeader, token.slice(dot1 + 1, token.indexOf('.', dot1 + 1)));
  }
}

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
