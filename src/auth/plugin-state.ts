// One jwt plugin config prepared for the request path: extractor, claim checkers, policy, and every deny built once.
import type { CompiledConfig, CompiledConsumer, CompiledJwtPlugin } from '../config/types.js';
import { isUuid } from '../config/ids.js';
import { createClaimsChecker, type ClaimsChecker } from './claims.js';
import { issuerAudienceBody, type JwtPolicy } from './jwt-policy.js';
import { anonymousIdentityHeaders } from './policy-headers.js';
import { createTokenExtractor, type TokenExtractor } from './token-extractor.js';
import { AUTH_STATUS_COUNT, AuthStatus, Challenge, STATUS_ANSWERS, type DenyContext } from './auth-status.js';
import { AuthReason, type AuthAllow, type AuthDecision, type AuthDeny } from './types.js';

/**
 * Between `realm="R"` and `error="invalid_token"`: Kong master uses ", "; Kong 3.8/3.9 send " ".
 * Change here to match another Kong release.
 */
const WWW_AUTHENTICATE_DELIMITER = ', ';

function deny(authStatus: AuthStatus, reason: AuthReason, status: number, body: string, wwwAuthenticate: string | null): AuthDeny {
  return Object.freeze({ kind: 'deny', authStatus, reason, status, body, wwwAuthenticate });
}

/** Everything a plugin instance needs on the request path, computed once per config generation. */
export interface PluginState {
  readonly runOnPreflight: boolean;
  readonly keyClaimName: string;
  readonly secretIsBase64: boolean;
  readonly usesClock: boolean;
  readonly extractor: TokenExtractor;
  readonly claims: ClaimsChecker;
  /** Set when `anonymous` is configured: every failure becomes this (an allow, or the 500 for a missing consumer). */
  readonly anonymous: AuthDecision | null;
  /** The refusal of each AuthStatus (STATUS_ANSWERS with this plugin's realm, key claim and claim order); index = status. */
  readonly denies: readonly AuthDeny[];
  /** Policy extensions (null = Kong's behaviour); with `claimPolicy` only when issuers or audiences are set. */
  readonly policy: JwtPolicy | null;
  readonly claimPolicy: boolean;
  readonly access: boolean;
  /** Some policy of this plugin reads claims after the signature: a cache hit must carry them. */
  readonly needsClaims: boolean;
  /** claims_to_headers or forward_payload_header is set: an allow carries its headers, built when verified. */
  readonly buildsPolicyHeaders: boolean;
  /** The HMAC engine's id of the key claim name, for its one-call check (-1: the engine has none). */
  readonly checkClaimNameId: number;
}

function resolveAnonymous(config: CompiledConfig, value: string): CompiledConsumer | undefined {
  if (isUuid(value)) {
    const byId = config.consumersById.get(value) ?? config.consumersById.get(value.toLowerCase());
    if (byId !== undefined) return byId;
  }
  return config.consumersByUsername.get(value);
}

/** `claimNameId`: the HMAC engine's id of a key claim name (HmacCodeVerifier.claimNameId), -1 without one. */
export function buildPluginState(
  config: CompiledConfig,
  plugin: CompiledJwtPlugin,
  claimNameId: (name: string) => number = () => -1,
): PluginState {
  const c = plugin.config;
  const realm = c.realm;
  const wa0 = realm === null || realm === undefined ? 'Bearer' : `Bearer realm="${realm}"`;
  const wa1 =
    realm === null || realm === undefined
      ? 'Bearer error="invalid_token"'
      : `Bearer realm="${realm}"${WWW_AUTHENTICATE_DELIMITER}error="invalid_token"`;
  const kcn = c.key_claim_name;
  const policy = plugin.policy;
  const claims = createClaimsChecker(c.claims_to_verify, c.maximum_expiration, policy?.leeway ?? 0);
  // RFC 6750 §3.1: the realm, then error and the scope the request lacks (for roles: the roles required).
  const insufficientScope = (status: AuthStatus): string | null => {
    const required = status === AuthStatus.scope ? policy?.scopes : policy?.roles;
    if (required === null || required === undefined) return null;
    return (
      `${realm === null || realm === undefined ? 'Bearer ' : `Bearer realm="${realm}"${WWW_AUTHENTICATE_DELIMITER}`}` +
      `error="insufficient_scope"${WWW_AUTHENTICATE_DELIMITER}scope="${required.challenge}"`
    );
  };
  const ctx: DenyContext = { keyClaimName: kcn, anonymous: c.anonymous ?? '', claimsBody: (st) => claims.body(st), issuerAudienceBody };
  const denies: AuthDeny[] = new Array<AuthDeny>(AUTH_STATUS_COUNT);
  for (let status = 1; status < AUTH_STATUS_COUNT; status++) {
    const row = STATUS_ANSWERS[status as AuthStatus];
    if (row === undefined) continue;
    const challenge =
      row.challenge === Challenge.bearer
        ? wa0
        : row.challenge === Challenge.invalidToken
          ? wa1
          : row.challenge === Challenge.insufficientScope
            ? insufficientScope(status as AuthStatus)
            : null;
    denies[status] = deny(status as AuthStatus, row.reason, row.httpStatus, row.body(ctx, status as AuthStatus), challenge);
  }

  let anonymous: AuthDecision | null = null;
  if (c.anonymous !== null && c.anonymous !== undefined && c.anonymous !== '') {
    const consumer = resolveAnonymous(config, c.anonymous);
    if (consumer === undefined) anonymous = denies[AuthStatus.anonymousMissing]!;
    else {
      const identityHeaders = anonymousIdentityHeaders(consumer);
      anonymous = Object.freeze({
        kind: 'allow',
        reason: AuthReason.anonymous,
        consumer,
        credential: null,
        anonymous: true,
        token: null,
        identityHeaders,
        credentialIdentity: Object.freeze({ identityHeaders, token: null }),
      }) as AuthAllow;
    }
  }

  return {
    runOnPreflight: c.run_on_preflight,
    keyClaimName: kcn,
    secretIsBase64: c.secret_is_base64,
    usesClock: (c.claims_to_verify?.length ?? 0) > 0 || c.maximum_expiration > 0,
    extractor: createTokenExtractor(c),
    claims,
    anonymous,
    denies,
    policy,
    claimPolicy: policy !== null && (policy.issuers !== null || policy.audiences !== null),
    access: policy !== null && (policy.scopes !== null || policy.roles !== null),
    needsClaims:
      policy !== null &&
      (policy.issuers !== null ||
        policy.audiences !== null ||
        policy.scopes !== null ||
        policy.roles !== null ||
        (policy.upstream?.claimHeaders.length ?? 0) > 0),
    buildsPolicyHeaders: policy?.upstream != null && (policy.upstream.claimHeaders.length > 0 || policy.upstream.payloadHeader !== null),
    checkClaimNameId: claimNameId(kcn),
  };
}
