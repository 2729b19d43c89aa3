// hide_credentials: takes the verified token out of the client headers, cookies and query arguments it may have come in.
import type { HiddenCredentials } from './jwt-policy.js';
import { bearerToken, unescapeQueryValue } from './token-extractor.js';

/** hide_credentials for a header: a configured token header whose bearer value is the token is not forwarded. */
export function hiddenCredential(hide: Pick<HiddenCredentials, 'headers'>, name: string, value: string, token: string): boolean {
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

/**
 * The proxy's per-header hook for one plugin's hide_credentials (its CredentialFilter): a Cookie header loses the
 * token's cookies (dropped when none is left), a token header carrying the token is dropped, the rest pass.
 */
export function credentialFilter(
  headers: ReadonlySet<string>,
  cookies: readonly string[],
): (name: string, value: string, token: string) => string | null {
  return (name, value, token) => {
    if (name === 'cookie' && cookies.length > 0) {
      const rest = withoutTokenCookies(value, cookies, token);
      return rest === '' ? null : rest;
    }
    return hiddenCredential({ headers }, name, value, token) ? null : value;
  };
}
