// The jwt plugin's policy extensions compiled once per plugin config: leeway, issuers/audiences, scopes/roles, upstream rewrites.
import type { JwtPluginConfig } from '../config/types.js';
import { CLAIM_MESSAGES } from '../errors.js';
import { credentialFilter } from './hide-credentials.js';
import { asciiLowerCase } from './token-extractor.js';
import { ownValue } from './token-decoder.js';
import { AuthStatus, ISSUER_AUDIENCE_STATUS_BASE } from './auth-status.js';

/** The header rewrites a verified token brings to the upstream request. */
export interface UpstreamPolicy {
  /** Lower-case names of every header the gateway sets from the token: client copies are always removed. */
  readonly strip: ReadonlySet<string>;
  readonly claimHeaders: readonly ClaimHeader[];
  /** Lower-case header name for the payload segment, or null. */
  readonly payloadHeader: string | null;
  /** hide_credentials: where the token may have come from (lower-case headers and cookies, query names). */
  readonly hide: HiddenCredentials | null;
}

export interface ClaimHeader {
  readonly claim: string;
  /** The claim split on dots (a top-level claim with the whole dotted name wins, see claimAt). */
  readonly path: readonly string[];
  /** Lower-case header name. */
  readonly header: string;
}

export interface HiddenCredentials {
  readonly headers: ReadonlySet<string>;
  readonly params: ReadonlySet<string>;
  readonly cookies: readonly string[];
  /** The proxy's hook (its CredentialFilter): a client header's value to forward when the request carries `token`, or null. */
  forwardedValue(name: string, value: string, token: string): string | null;
}

interface Requirement {
  readonly claims: ReadonlyArray<{ readonly name: string; readonly path: readonly string[] }>;
  readonly required: readonly string[];
  readonly any: boolean;
  /** The required values as RFC 6750's `scope` attribute (space-separated). */
  readonly challenge: string;
}

export interface JwtPolicy {
  readonly leeway: number;
  readonly issuers: ReadonlySet<string> | null;
  readonly audiences: ReadonlySet<string> | null;
  readonly scopes: Requirement | null;
  readonly roles: Requirement | null;
  readonly upstream: UpstreamPolicy | null;
}

/** Reads a claim by dot path; a top-level claim whose name has the dots (`https://ns.example/roles`) is taken first. */
export function claimAt(claims: Record<string, unknown>, name: string, path: readonly string[]): unknown {
  if (path.length === 1) return ownValue(claims, name);
  const whole = ownValue(claims, name);
  if (whole !== undefined) return whole;
  let v: unknown = claims;
  for (let i = 0; i < path.length; i++) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = ownValue(v as Record<string, unknown>, path[i]!);
  }
  return v;
}

/** `wanted` as one space-delimited word of `s`, without splitting (no allocation). */
function wordIn(s: string, wanted: string): boolean {
  let i = s.indexOf(wanted);
  while (i >= 0) {
    const end = i + wanted.length;
    if ((i === 0 || s.charCodeAt(i - 1) === 32) && (end === s.length || s.charCodeAt(end) === 32)) return true;
    i = s.indexOf(wanted, i + 1);
  }
  return false;
}

function holds(value: unknown, wanted: string): boolean {
  if (typeof value === 'string') return wordIn(value, wanted);
  if (Array.isArray(value)) return value.includes(wanted);
  return false;
}

function satisfied(req: Requirement, claims: Record<string, unknown>): boolean {
  let value: unknown;
  for (let i = 0; i < req.claims.length && value === undefined; i++) value = claimAt(claims, req.claims[i]!.name, req.claims[i]!.path);
  const required = req.required;
  for (let i = 0; i < required.length; i++) {
    const h = holds(value, required[i]!);
    if (req.any ? h : !h) return req.any;
  }
  return !req.any;
}

/** AuthStatus.ok, or the issuer/audience status (its body names both); only called when issuers or audiences are set. */
export function checkIssuerAudience(policy: JwtPolicy, claims: Record<string, unknown>): AuthStatus {
  let code = 0;
  if (policy.issuers !== null) {
    const iss = ownValue(claims, 'iss');
    if (iss === undefined) code = 1;
    else if (typeof iss !== 'string' || !policy.issuers.has(iss)) code = 2;
  }
  if (policy.audiences !== null) {
    const aud = ownValue(claims, 'aud');
    if (aud === undefined) code += 3;
    else if (!audienceAllowed(policy.audiences, aud)) code += 6;
  }
  return code === 0 ? AuthStatus.ok : ((ISSUER_AUDIENCE_STATUS_BASE + code) as AuthStatus);
}

function audienceAllowed(allowed: ReadonlySet<string>, aud: unknown): boolean {
  if (typeof aud === 'string') return allowed.has(aud);
  if (!Array.isArray(aud)) return false;
  for (let i = 0; i < aud.length; i++) if (typeof aud[i] === 'string' && allowed.has(aud[i] as string)) return true;
  return false;
}

/** The exact 401 body of an issuer/audience status. */
export function issuerAudienceBody(status: AuthStatus): string {
  const code = status - ISSUER_AUDIENCE_STATUS_BASE;
  const state = (n: number) => (n === 1 ? CLAIM_MESSAGES.missing : CLAIM_MESSAGES.notAllowed);
  const errors: Record<string, string> = {};
  if (code % 3 !== 0) errors.iss = state(code % 3);
  if (Math.floor(code / 3) !== 0) errors.aud = state(Math.floor(code / 3));
  return JSON.stringify(errors);
}

/** AuthStatus.ok, scope or role (scopes are checked first). */
export function checkAccess(policy: JwtPolicy, claims: Record<string, unknown>): AuthStatus {
  if (policy.scopes !== null && !satisfied(policy.scopes, claims)) return AuthStatus.scope;
  if (policy.roles !== null && !satisfied(policy.roles, claims)) return AuthStatus.role;
  return AuthStatus.ok;
}

/**
 * A claim as header text: strings as they are, numbers and booleans as JSON text, arrays of scalars joined with
 * `,`, other arrays and objects as compact JSON; undefined for an absent or null claim.
 */
export function claimHeaderText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return undefined;
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) {
        return value.join(',');
      }
      return JSON.stringify(value);
    }
    default:
      return undefined;
  }
}

const splitPath = (claim: string): readonly string[] => Object.freeze(claim.split('.'));

function requirement(
  claims: readonly string[],
  required: readonly string[] | undefined,
  match: 'all' | 'any' | undefined,
): Requirement | null {
  if (required === undefined || required.length === 0) return null;
  return Object.freeze({
    claims: Object.freeze(claims.map((name) => Object.freeze({ name, path: splitPath(name) }))),
    required: Object.freeze([...required]),
    any: match === 'any',
    challenge: required.join(' '),
  });
}

function upstreamPolicy(c: JwtPluginConfig): UpstreamPolicy | null {
  const claimHeaders: ClaimHeader[] = (c.claims_to_headers ?? []).map(({ claim, header }) =>
    Object.freeze({ claim, path: splitPath(claim), header: header.toLowerCase() }),
  );
  const payloadHeader = c.forward_payload_header === undefined ? null : c.forward_payload_header.toLowerCase();
  let hide: HiddenCredentials | null = null;
  if (c.hide_credentials === true) {
    const headers = new Set(c.header_names.map((n) => n.toLowerCase()));
    const cookies = Object.freeze([...new Set(c.cookie_names.map(asciiLowerCase))]);
    hide = Object.freeze({ headers, params: new Set(c.uri_param_names), cookies, forwardedValue: credentialFilter(headers, cookies) });
  }
  if (claimHeaders.length === 0 && payloadHeader === null && hide === null) return null;
  const strip = new Set(claimHeaders.map((h) => h.header));
  if (payloadHeader !== null) strip.add(payloadHeader);
  return Object.freeze({ strip, claimHeaders: Object.freeze(claimHeaders), payloadHeader, hide });
}

/** Compiles the policy fields of one plugin config; null when it sets none (the request path then costs a null check). */
export function compileJwtPolicy(c: JwtPluginConfig): JwtPolicy | null {
  const issuers = c.issuers === undefined ? null : new Set(c.issuers);
  const audiences = c.audiences === undefined ? null : new Set(c.audiences);
  const scopes = requirement(c.scopes_claim ?? ['scope', 'scp'], c.scopes_required, c.scopes_match);
  const roles = requirement([c.roles_claim ?? 'roles'], c.roles_required, c.roles_match);
  const upstream = upstreamPolicy(c);
  const leeway = c.leeway ?? 0;
  if (leeway === 0 && issuers === null && audiences === null && scopes === null && roles === null && upstream === null) return null;
  return Object.freeze({ leeway, issuers, audiences, scopes, roles, upstream });
}
