// An allow's upstream identity headers: consumer, credential or anonymous, then the route policy's claim and payload headers.
import type { CompiledConfig, CompiledConsumer, CompiledCredential } from '../config/types.js';
import { HEADER_UNSAFE, headerValue } from '../proxy/header-value.js';
import type { UpstreamIdentity } from '../proxy/forwarded-headers.js';
import { claimAt, claimHeaderText, type ClaimHeader, type UpstreamPolicy } from './jwt-policy.js';
import type { AuthAllow, PolicyHeaders } from './types.js';

/** A claims_to_headers value with characters a header cannot carry was dropped (the listener logs it at debug level). */
export type UnsafeClaimHook = (header: string, claim: string) => void;

/** A credential's identity headers, built once per config generation: its consumer's, then X-Credential-Identifier. */
export function credentialIdentity(credential: CompiledCredential): UpstreamIdentity {
  const headers = [...credential.consumer.upstreamHeaders, 'x-credential-identifier', credential.identifierHeader];
  return Object.freeze({ identityHeaders: Object.freeze(headers), token: null });
}

/**
 * Every header name an allow of `config` can send upstream (consumer, credential, anonymous, claim and payload
 * headers), as sent: the proxy registers them with its HTTP client once per generation.
 */
export function identityHeaderNames(config: CompiledConfig): Set<string> {
  const names = new Set<string>(['x-credential-identifier', 'x-anonymous-consumer']);
  for (const consumer of config.consumersById.values()) {
    const h = consumer.upstreamHeaders;
    for (let i = 0; i < h.length; i += 2) names.add(h[i]!);
  }
  for (const route of config.routes) {
    const upstream = route.jwt?.policy?.upstream;
    if (upstream == null) continue;
    for (const h of upstream.claimHeaders) names.add(h.header);
    if (upstream.payloadHeader !== null) names.add(upstream.payloadHeader);
  }
  return names;
}

/** The anonymous consumer's identity headers (built once per plugin): its consumer's, then X-Anonymous-Consumer. */
export function anonymousIdentityHeaders(consumer: CompiledConsumer): readonly string[] {
  return Object.freeze([...consumer.upstreamHeaders, 'x-anonymous-consumer', 'true']);
}

/** Returns one shared copy of a header value equal to one seen before, or the value itself. */
export type ValueInterner = (value: string) => string;

/** What a value interner keeps at most: values seen first, short ones only (what roles, scopes and tenants are). */
export const INTERNED_VALUES = 1024;
export const INTERNED_VALUE_LENGTH = 128;

/**
 * Claim header values that many tokens share (roles, scopes, a tenant or issuer) kept once per config generation:
 * each cached token's headers then point at the same string, which stays in the CPU caches, instead of a copy per
 * token that a cache hit reads (undici checks and copies every header value) from memory. At most INTERNED_VALUES
 * values of at most INTERNED_VALUE_LENGTH characters, the first ones seen; any other value is used as it is.
 */
export function createValueInterner(): ValueInterner {
  const seen = new Map<string, string>();
  return (value) => {
    if (value.length > INTERNED_VALUE_LENGTH) return value;
    const shared = seen.get(value);
    if (shared !== undefined) return shared;
    if (seen.size < INTERNED_VALUES) seen.set(value, value);
    return value;
  };
}

const asIs: ValueInterner = (value) => value;

/**
 * The claim headers and the payload header of a verified token under `policy`, built once when the token is
 * verified: a cache hit then only copies them (no claim lookups, joins or JSON per request). Claim values go through
 * `intern` (the authenticator's, for the tokens it caches).
 */
export function buildPolicyHeaders(
  policy: UpstreamPolicy,
  claims: Record<string, unknown>,
  token: string,
  intern: ValueInterner = asIs,
): PolicyHeaders {
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
    else headers.push(h.header, intern(headerValue(text)));
  }
  if (policy.payloadHeader !== null) {
    const dot1 = token.indexOf('.');
    headers.push(policy.payloadHeader, token.slice(dot1 + 1, token.indexOf('.', dot1 + 1)));
  }
  return Object.freeze({ policy, headers: Object.freeze(headers), unsafe: unsafe === null ? null : Object.freeze(unsafe) });
}

/** The identity headers of a verified token: the credential's, then the headers its verifying route's policy built. */
export function tokenIdentityHeaders(base: UpstreamIdentity, built: PolicyHeaders | undefined): readonly string[] {
  return built === undefined || built.headers.length === 0
    ? base.identityHeaders
    : Object.freeze([...base.identityHeaders, ...built.headers]);
}

const NO_CLAIMS: Record<string, unknown> = Object.freeze({});

/**
 * What `allow` sends upstream on a route whose policy is `policy` (the proxy and the external authorizer both ask
 * here). The allow itself when its headers were built for this policy (every cache hit on the route that verified
 * it): no work and no allocation. Another route's policy (the same token on two routes) builds its own here.
 */
export function identityFor(allow: AuthAllow, policy: UpstreamPolicy | null, onUnsafeClaim?: UnsafeClaimHook): UpstreamIdentity {
  // The anonymous consumer never carries policy headers.
  if (allow.token === null) return allow;
  const built = allow.policyHeaders;
  const wanted = policy !== null && (policy.claimHeaders.length > 0 || policy.payloadHeader !== null);
  if (built !== undefined && built.policy === policy) {
    if (built.unsafe !== null && onUnsafeClaim !== undefined) for (const h of built.unsafe) onUnsafeClaim(h.header, h.claim);
    return allow;
  }
  if (!wanted) {
    if (built === undefined) return allow;
    // Built for another policy: this route's has no headers of its own, so only the credential's go (and the token, for hide).
    return policy === null ? allow.credentialIdentity : { identityHeaders: allow.credentialIdentity.identityHeaders, token: allow.token };
  }
  const own = buildPolicyHeaders(policy, (allow.claims as Record<string, unknown> | undefined) ?? NO_CLAIMS, allow.token);
  if (own.unsafe !== null && onUnsafeClaim !== undefined) for (const h of own.unsafe) onUnsafeClaim(h.header, h.claim);
  return { identityHeaders: tokenIdentityHeaders(allow.credentialIdentity, own), token: allow.token };
}
