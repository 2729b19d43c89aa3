// hide_credentials: takes the verified token out of the client headers, cookies and query arguments it may have come in.
import type { HiddenCredentials } from './jwt-policy.js';
import { asciiLowerCase, bearerToken, unescapeQueryValue } from './token-extractor.js';

/** hide_credentials for a header: a configured token header whose bearer value is the token is not forwarded. */
export function hiddenCredential(hide: Pick<HiddenCredentials, 'headers'>, name: string, value: string, token: string): boolean {
  return hide.headers.has(name) && bearerToken(value) === token;
}

/** Whether one cookie (`name=value`, trimmed) is a configured cookie whose value is the token. */
function carriesToken(cookie: string, lowerNames: readonly string[], token: string): boolean {
  const eq = cookie.indexOf('=');
  return eq > 0 && cookie.slice(eq + 1).trim() === token && lowerNames.includes(asciiLowerCase(cookie.slice(0, eq).trim()));
}

/**
 * The Cookie header without the configured cookies that carry the token ('' when nothing is left). nginx also
 * separates cookies by ',' (token-extractor.ts), so a ';' part is split there too, and rewritten only when one of
 * its ',' pieces carried the token: a value that merely holds a ',' goes on unchanged.
 */
export function withoutTokenCookies(header: string, lowerNames: readonly string[], token: string): string {
  const kept: string[] = [];
  for (const part of header.split(';')) {
    const pair = part.trim();
    if (pair === '' || carriesToken(pair, lowerNames, token)) continue;
    if (!pair.includes(',')) {
      kept.push(pair);
      continue;
    }
    const pieces = pair.split(',').map((piece) => piece.trim());
    const rest = pieces.filter((piece) => !carriesToken(piece, lowerNames, token));
    if (rest.length === pieces.length) kept.push(pair);
    else if (rest.some((piece) => piece !== '')) kept.push(rest.filter((piece) => piece !== '').join(', '));
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
