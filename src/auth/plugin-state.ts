// One jwt plugin config prepared for the request path: extractor, claim checkers, policy, and every deny built once.
import type { CompiledConfig, CompiledConsumer, CompiledJwtPlugin } from '../config/types.js';
import { isUuid } from '../config/ids.js';
import { JWT_MESSAGES, messageBody } from '../errors.js';
import { CLAIMS_CODE_COUNT, CLAIMS_EXCEED_MAXIMUM, createClaimsChecker, type ClaimsChecker } from './claims.js';
import { CLAIM_POLICY_CODE_COUNT, issuerAudienceBody, type JwtPolicy } from './jwt-policy.js';
import { createTokenExtractor, type TokenExtractor } from './token-extractor.js';
import { AuthReason, type AuthAllow, type AuthDecision, type AuthDeny } from './types.js';

/**
 * Between `realm="R"` and `error="invalid_token"`: Kong master uses ", "; Kong 3.8/3.9 send " ".
 * Change here to match another Kong release.
 */
const WWW_AUTHENTICATE_DELIMITER = ', ';

function deny(reason: AuthReason, status: number, body: string, wwwAuthenticate: string | null): AuthDeny {
  return Object.freeze({ kind: 'deny', reason, status, body, wwwAuthenticate });
}

/** The reason of a claims code: an exp failure first, then nbf; a non-numeric claim is a bad token. */
function claimsReason(code: number): AuthReason {
  if (code === CLAIMS_EXCEED_MAXIMUM) return AuthReason.badToken;
  if (code % 3 === 2) return AuthReason.expired;
  if (Math.floor(code / 3) === 2) return AuthReason.notYetValid;
  return AuthReason.badToken;
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
  readonly noToken: AuthDeny;
  /** JWKS has no key for the token's kid: Kong's `Invalid signature` body, reason `unknown_key`. */
  readonly unknownKid: AuthDeny;
  /** Deny per message, WA1 header; claim-code denies by code. */
  readonly denies: ReadonlyMap<string, AuthDeny>;
  readonly claimDenies: readonly AuthDeny[];
  readonly noMandatoryClaim: AuthDeny;
  readonly invalidClaim: AuthDeny;
  readonly noCredentials: AuthDeny;
  /** Policy extensions (null = Kong's behaviour); with `claimPolicy` only when issuers or audiences are set. */
  readonly policy: JwtPolicy | null;
  readonly claimPolicy: boolean;
  readonly access: boolean;
  /** Some policy of this plugin reads claims after the signature: a cache hit must carry them. */
  readonly needsClaims: boolean;
  /** claims_to_headers or forward_payload_header is set: an allow carries its headers, built when verified. */
  readonly buildsPolicyHeaders: boolean;
  /** 401 per issuer/audience code; 403 insufficient_scope for scopes and for roles. */
  readonly claimPolicyDenies: readonly AuthDeny[];
  readonly scopeDeny: AuthDeny | null;
  readonly roleDeny: AuthDeny | null;
}

function resolveAnonymous(config: CompiledConfig, value: string): CompiledConsumer | undefined {
  if (isUuid(value)) {
    const byId = config.consumersById.get(value) ?? config.consumersById.get(value.toLowerCase());
    if (byId !== undefined) return byId;
  }
  return config.consumersByUsername.get(value);
}

export function buildPluginState(config: CompiledConfig, plugin: CompiledJwtPlugin): PluginState {
  const c = plugin.config;
  const realm = c.realm;
  const wa0 = realm === null || realm === undefined ? 'Bearer' : `Bearer realm="${realm}"`;
  const wa1 =
    realm === null || realm === undefined
      ? 'Bearer error="invalid_token"'
      : `Bearer realm="${realm}"${WWW_AUTHENTICATE_DELIMITER}error="invalid_token"`;
  const kcn = c.key_claim_name;
  const messages: Array<[string, AuthReason]> = [
    [JWT_MESSAGES.multipleTokens, AuthReason.badToken],
    [JWT_MESSAGES.unrecognizableToken, AuthReason.badToken],
    [JWT_MESSAGES.badTokenJson, AuthReason.badToken],
    [JWT_MESSAGES.badTokenAlg, AuthReason.badAlg],
    [JWT_MESSAGES.badTokenClaims, AuthReason.badToken],
    [JWT_MESSAGES.badTokenSignature, AuthReason.badToken],
    [JWT_MESSAGES.invalidAlgorithm, AuthReason.badAlg],
    [JWT_MESSAGES.invalidKeySecret, AuthReason.unknownKey],
    [JWT_MESSAGES.invalidSignature, AuthReason.badSignature],
    [JWT_MESSAGES.noMandatoryClaim(kcn), AuthReason.badToken],
    [JWT_MESSAGES.invalidClaim(kcn), AuthReason.badToken],
    [JWT_MESSAGES.noCredentials(kcn), AuthReason.unknownKey],
  ];
  const denies = new Map<string, AuthDeny>();
  for (const [m, reason] of messages) denies.set(m, deny(reason, 401, messageBody(m), wa1));
  const policy = plugin.policy;
  const claims = createClaimsChecker(c.claims_to_verify, c.maximum_expiration, policy?.leeway ?? 0);
  const claimPolicyDenies: AuthDeny[] = [];
  for (let code = 0; code < CLAIM_POLICY_CODE_COUNT; code++) {
    claimPolicyDenies.push(deny(code % 3 !== 0 ? AuthReason.issuer : AuthReason.audience, 401, issuerAudienceBody(code), wa1));
  }
  // RFC 6750 §3.1: the realm, then error and the scope the request lacks (for roles: the roles required).
  const challenge = (scope: string) =>
    `${realm === null || realm === undefined ? 'Bearer ' : `Bearer realm="${realm}"${WWW_AUTHENTICATE_DELIMITER}`}` +
    `error="insufficient_scope"${WWW_AUTHENTICATE_DELIMITER}scope="${scope}"`;
  const forbidden = messageBody(JWT_MESSAGES.forbidden);
  const claimDenies: AuthDeny[] = [];
  for (let code = 0; code < CLAIMS_CODE_COUNT; code++) {
    claimDenies.push(deny(claimsReason(code), 401, code === 0 ? '' : claims.body(code), wa1));
  }

  let anonymous: AuthDecision | null = null;
  if (c.anonymous !== null && c.anonymous !== undefined && c.anonymous !== '') {
    const consumer = resolveAnonymous(config, c.anonymous);
    anonymous =
      consumer !== undefined
        ? (Object.freeze({
            kind: 'allow',
            reason: AuthReason.anonymous,
            consumer,
            credential: null,
            anonymous: true,
            token: null,
          }) as AuthAllow)
        : deny(AuthReason.anonymous, 500, messageBody(JWT_MESSAGES.anonymousMissing(c.anonymous)), null);
  }

  return {
    runOnPreflight: c.run_on_preflight,
    keyClaimName: kcn,
    secretIsBase64: c.secret_is_base64,
    usesClock: (c.claims_to_verify?.length ?? 0) > 0 || c.maximum_expiration > 0,
    extractor: createTokenExtractor(c),
    claims,
    anonymous,
    noToken: deny(AuthReason.noToken, 401, messageBody(JWT_MESSAGES.unauthorized), wa0),
    denies,
    unknownKid: deny(AuthReason.unknownKey, 401, messageBody(JWT_MESSAGES.invalidSignature), wa1),
    claimDenies,
    noMandatoryClaim: denies.get(JWT_MESSAGES.noMandatoryClaim(kcn))!,
    invalidClaim: denies.get(JWT_MESSAGES.invalidClaim(kcn))!,
    noCredentials: denies.get(JWT_MESSAGES.noCredentials(kcn))!,
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
    claimPolicyDenies,
    scopeDeny: policy?.scopes ? deny(AuthReason.scope, 403, forbidden, challenge(policy.scopes.challenge)) : null,
    roleDeny: policy?.roles ? deny(AuthReason.role, 403, forbidden, challenge(policy.roles.challenge)) : null,
  };
}
