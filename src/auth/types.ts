// The contract between the front end and the jwt stage: what a request offers and what a decision looks like.
import type { CompiledConsumer, CompiledCredential } from '../config/types.js';
import type { AuthStatus } from './auth-status.js';
import type { UpstreamIdentity } from '../proxy/forwarded-headers.js';
import type { ClaimHeader, UpstreamPolicy } from './jwt-policy.js';

/** What the jwt stage may read of a request; a snapshot copied out of uWS, valid after the handler returns. */
export interface AuthRequest {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** Raw query string without the `?` (empty string when none). */
  readonly query: string;
  /** First occurrence of a header, name given in lower case; undefined when absent. */
  header(lowerCaseName: string): string | undefined;
  /** Every header as flat [name, value, ...] in arrival order, names lower case (cookies are read from all of them). */
  readonly headers: readonly string[];
}

/**
 * Why the jwt stage decided as it did: a small fixed set, numbered so a decision carries it at no cost (prebuilt
 * denies hold theirs; an allow is `ok` or `anonymous`). Metrics and the access log print `AUTH_REASON_NAMES[reason]`.
 */
export const AuthReason = {
  ok: 0,
  anonymous: 1,
  noToken: 2,
  badToken: 3,
  unknownKey: 4,
  badAlg: 5,
  badSignature: 6,
  expired: 7,
  notYetValid: 8,
  issuer: 9,
  audience: 10,
  scope: 11,
  role: 12,
  overloaded: 13,
} as const;
export type AuthReason = (typeof AuthReason)[keyof typeof AuthReason];

/** The reasons' names as metrics and logs show them, indexed by AuthReason. */
export const AUTH_REASON_NAMES = [
  'ok',
  'anonymous',
  'no_token',
  'bad_token',
  'unknown_key',
  'bad_alg',
  'bad_signature',
  'expired',
  'not_yet_valid',
  'issuer',
  'audience',
  'scope',
  'role',
  'overloaded',
] as const;
export type AuthReasonName = (typeof AUTH_REASON_NAMES)[number];

/**
 * The request proceeds. An allow is the proxy's UpstreamIdentity: `identityHeaders` and `token` are all the proxy
 * reads (through `identityFor`, which answers another route's policy).
 */
export interface AuthAllow extends UpstreamIdentity {
  readonly kind: 'allow';
  /** `ok` for a verified token, `anonymous` for the anonymous consumer. */
  readonly reason: AuthReason;
  readonly consumer: CompiledConsumer;
  /** null when falling back to the anonymous consumer. */
  readonly credential: CompiledCredential | null;
  readonly anonymous: boolean;
  /** The raw token (without `Bearer `), null for anonymous. */
  readonly token: string | null;
  /** The verified claims (for claims_to_headers and the policy re-check on a cache hit); absent for anonymous. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** The claim and payload headers this token brings under the route policy that verified it, built once per token. */
  readonly policyHeaders?: PolicyHeaders;
  /** Consumer headers, X-Credential-Identifier or X-Anonymous-Consumer, then `policyHeaders`' headers. */
  readonly identityHeaders: readonly string[];
  /** The credential's (or anonymous consumer's) identity alone, for a route whose policy sends no headers of its own. */
  readonly credentialIdentity: UpstreamIdentity;
}

/** A token's upstream headers under one policy: every cache hit on a route with that policy reuses them. */
export interface PolicyHeaders {
  readonly policy: UpstreamPolicy;
  /** Flat [name, value, ...]: claims_to_headers in config order, then forward_payload_header. */
  readonly headers: readonly string[];
  /** claims_to_headers entries whose value a header cannot carry (logged at debug level on each request), or null. */
  readonly unsafe: readonly ClaimHeader[] | null;
}

/** The plugin did not run (OPTIONS with run_on_preflight=false): client headers are left untouched. */
export interface AuthBypass {
  readonly kind: 'bypass';
  /** Always `anonymous`: the request goes on without an identified consumer. */
  readonly reason: AuthReason;
}

/** The request is refused; only the response writer turns this into bytes. */
export interface AuthDeny {
  readonly kind: 'deny';
  /** The step's answer this refusal is (its row of STATUS_ANSWERS): what metrics and the authorizer count it by. */
  readonly authStatus: AuthStatus;
  readonly reason: AuthReason;
  readonly status: number;
  /** Exact JSON body, e.g. `{"message":"Invalid signature"}` or `{"exp":"token expired"}`. */
  readonly body: string;
  /** WWW-Authenticate value, or null when Kong sends none. */
  readonly wwwAuthenticate: string | null;
}

export type AuthDecision = AuthAllow | AuthBypass | AuthDeny;

/** Synchronous for HMAC and cache hits; a Promise only when asymmetric verification must run. */
export type AuthOutcome = AuthDecision | Promise<AuthDecision>;

/** Counters the jwt stage keeps (cache hits etc.), read by observability. */
export interface AuthStats {
  cacheHits: number;
  cacheMisses: number;
  cacheEvictions: number;
  cacheEntries: number;
  cacheBytes: number;
  /** Asymmetric verifications refused with 503 because the verification queue was full (absent = 0). */
  verifyQueueFull?: number;
}

/** One per config generation (per worker thread); built from the compiled config. */
export interface Authenticator {
  /** Which HMAC engine is active: the native addon or the node:crypto fallback. */
  readonly hmacEngine: 'native' | 'node:crypto';
  authenticate(plugin: import('../config/types.js').CompiledJwtPlugin, request: AuthRequest): AuthOutcome;
  stats(): AuthStats;
}
