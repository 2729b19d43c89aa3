// The one auth status: every step of the jwt stage answers with an AuthStatus number, mapped to Kong's answer by one table.
import { GATEWAY_MESSAGES, JWT_MESSAGES, messageBody } from '../errors.js';
import { AuthReason } from './types.js';

/**
 * What a step of the jwt stage found: the extractor, the decoder, the key-claim and credential lookups, the claim
 * checks (exp, nbf, maximum_expiration), the policy checks and every verifier return one of these numbers, never a
 * message, a sentinel of their own or a thrown error. Plain frozen numbers: no allocation on the request path.
 *
 * The exp/nbf results are `CLAIMS_STATUS_BASE + expState + 3 * nbfState` (each 0 ok, 1 not a number, 2 expired /
 * not yet valid) and the issuer/audience results `ISSUER_AUDIENCE_STATUS_BASE + issState + 3 * audState` (each 0
 * ok, 1 missing, 2 not allowed), so the checks compute them without branching per combination.
 */
export const AuthStatus = Object.freeze({
  ok: 0,
  noToken: 1,
  multipleTokens: 2,
  /** The only candidate is the bare `?jwt` OpenResty reads as boolean `true`. */
  unrecognizableToken: 3,
  badTokenJson: 4,
  badTokenAlg: 5,
  badTokenClaims: 6,
  badTokenSignature: 7,
  noMandatoryClaim: 8,
  invalidClaim: 9,
  noCredentials: 10,
  invalidAlgorithm: 11,
  invalidKeySecret: 12,
  invalidSignature: 13,
  /** The JWKS has no key for the token's kid (Kong's `Invalid signature` body, reason unknown_key). */
  unknownKid: 14,
  /** The asymmetric verification queue is full: 503, never swallowed by `anonymous`. */
  overloaded: 15,
  scope: 16,
  role: 17,
  expNotNumber: 19,
  expired: 20,
  nbfNotNumber: 21,
  expNotNumberNbfNotNumber: 22,
  expiredNbfNotNumber: 23,
  notYetValid: 24,
  expNotNumberNotYetValid: 25,
  expiredNotYetValid: 26,
  exceedsMaximumExpiration: 27,
  issuerMissing: 29,
  issuerNotAllowed: 30,
  audienceMissing: 31,
  issuerMissingAudienceMissing: 32,
  issuerNotAllowedAudienceMissing: 33,
  audienceNotAllowed: 34,
  issuerMissingAudienceNotAllowed: 35,
  issuerNotAllowedAudienceNotAllowed: 36,
  /** The plugin's `anonymous` names no consumer: what every refusal becomes instead of the anonymous allow (500). */
  anonymousMissing: 37,
} as const);
export type AuthStatus = (typeof AuthStatus)[keyof typeof AuthStatus];

/** exp/nbf result = base + expState + 3 * nbfState; maximum_expiration = base + 9. */
export const CLAIMS_STATUS_BASE = 18;
/** issuer/audience result = base + issState + 3 * audState. */
export const ISSUER_AUDIENCE_STATUS_BASE = 28;
/** Statuses run 0..AUTH_STATUS_COUNT-1, so a plugin's denies fit in one array indexed by status. */
export const AUTH_STATUS_COUNT = 38;

/** Which WWW-Authenticate a refusal carries. */
export const Challenge = Object.freeze({ none: 0, bearer: 1, invalidToken: 2, insufficientScope: 3 } as const);
export type Challenge = (typeof Challenge)[keyof typeof Challenge];

/** What a plugin's answers depend on besides the status: the key claim's name, its `anonymous`, the per-plugin body builders. */
export interface DenyContext {
  readonly keyClaimName: string;
  /** The plugin's `anonymous` setting as configured ('' when unset). */
  readonly anonymous: string;
  /** The `{"exp":...,"nbf":...}` body of an exp/nbf/maximum_expiration status (key order per claims_to_verify). */
  claimsBody(status: AuthStatus): string;
  /** The `{"iss":...,"aud":...}` body of an issuer/audience status. */
  issuerAudienceBody(status: AuthStatus): string;
}

/** One row of the table: what a refusal with this status looks like. */
export interface StatusAnswer {
  readonly reason: AuthReason;
  readonly httpStatus: number;
  readonly challenge: Challenge;
  body(ctx: DenyContext, status: AuthStatus): string;
}

/** The `message` of a status whose body is one (explain's step details); cold path. */
export function statusMessage(status: AuthStatus, keyClaimName: string): string {
  const row = STATUS_ANSWERS[status];
  if (row === undefined) return '';
  const ctx: DenyContext = { keyClaimName, anonymous: '', claimsBody: () => '{}', issuerAudienceBody: () => '{}' };
  return (JSON.parse(row.body(ctx, status)) as { message?: string }).message ?? '';
}

const message = (m: string) => (): string => messageBody(m);
const invalid = (reason: AuthReason, body: StatusAnswer['body']): StatusAnswer => ({
  reason,
  httpStatus: 401,
  challenge: Challenge.invalidToken,
  body,
});
const claimsRow = (reason: AuthReason): StatusAnswer => invalid(reason, (ctx, s) => ctx.claimsBody(s));
const issAudRow = (reason: AuthReason): StatusAnswer => invalid(reason, (ctx, s) => ctx.issuerAudienceBody(s));

/** THE table: every refusal status → its AuthReason (metrics' `reason` label), HTTP status, challenge and Kong body. */
export const STATUS_ANSWERS: Readonly<Partial<Record<AuthStatus, StatusAnswer>>> = Object.freeze({
  [AuthStatus.noToken]: {
    reason: AuthReason.noToken,
    httpStatus: 401,
    challenge: Challenge.bearer,
    body: message(JWT_MESSAGES.unauthorized),
  },
  [AuthStatus.multipleTokens]: invalid(AuthReason.badToken, message(JWT_MESSAGES.multipleTokens)),
  [AuthStatus.unrecognizableToken]: invalid(AuthReason.badToken, message(JWT_MESSAGES.unrecognizableToken)),
  [AuthStatus.badTokenJson]: invalid(AuthReason.badToken, message(JWT_MESSAGES.badTokenJson)),
  [AuthStatus.badTokenAlg]: invalid(AuthReason.badAlg, message(JWT_MESSAGES.badTokenAlg)),
  [AuthStatus.badTokenClaims]: invalid(AuthReason.badToken, message(JWT_MESSAGES.badTokenClaims)),
  [AuthStatus.badTokenSignature]: invalid(AuthReason.badToken, message(JWT_MESSAGES.badTokenSignature)),
  [AuthStatus.noMandatoryClaim]: invalid(AuthReason.badToken, (ctx) => messageBody(JWT_MESSAGES.noMandatoryClaim(ctx.keyClaimName))),
  [AuthStatus.invalidClaim]: invalid(AuthReason.badToken, (ctx) => messageBody(JWT_MESSAGES.invalidClaim(ctx.keyClaimName))),
  [AuthStatus.noCredentials]: invalid(AuthReason.unknownKey, (ctx) => messageBody(JWT_MESSAGES.noCredentials(ctx.keyClaimName))),
  [AuthStatus.invalidAlgorithm]: invalid(AuthReason.badAlg, message(JWT_MESSAGES.invalidAlgorithm)),
  [AuthStatus.invalidKeySecret]: invalid(AuthReason.unknownKey, message(JWT_MESSAGES.invalidKeySecret)),
  [AuthStatus.invalidSignature]: invalid(AuthReason.badSignature, message(JWT_MESSAGES.invalidSignature)),
  [AuthStatus.unknownKid]: invalid(AuthReason.unknownKey, message(JWT_MESSAGES.invalidSignature)),
  [AuthStatus.overloaded]: {
    reason: AuthReason.overloaded,
    httpStatus: 503,
    challenge: Challenge.none,
    body: message(GATEWAY_MESSAGES.verifyQueueFull),
  },
  [AuthStatus.scope]: {
    reason: AuthReason.scope,
    httpStatus: 403,
    challenge: Challenge.insufficientScope,
    body: message(JWT_MESSAGES.forbidden),
  },
  [AuthStatus.role]: {
    reason: AuthReason.role,
    httpStatus: 403,
    challenge: Challenge.insufficientScope,
    body: message(JWT_MESSAGES.forbidden),
  },
  // An exp failure names the reason first, then nbf; a claim that is not a number is a bad token.
  [AuthStatus.expNotNumber]: claimsRow(AuthReason.badToken),
  [AuthStatus.expired]: claimsRow(AuthReason.expired),
  [AuthStatus.nbfNotNumber]: claimsRow(AuthReason.badToken),
  [AuthStatus.expNotNumberNbfNotNumber]: claimsRow(AuthReason.badToken),
  [AuthStatus.expiredNbfNotNumber]: claimsRow(AuthReason.expired),
  [AuthStatus.notYetValid]: claimsRow(AuthReason.notYetValid),
  [AuthStatus.expNotNumberNotYetValid]: claimsRow(AuthReason.notYetValid),
  [AuthStatus.expiredNotYetValid]: claimsRow(AuthReason.expired),
  [AuthStatus.exceedsMaximumExpiration]: claimsRow(AuthReason.badToken),
  [AuthStatus.issuerMissing]: issAudRow(AuthReason.issuer),
  [AuthStatus.issuerNotAllowed]: issAudRow(AuthReason.issuer),
  [AuthStatus.audienceMissing]: issAudRow(AuthReason.audience),
  [AuthStatus.issuerMissingAudienceMissing]: issAudRow(AuthReason.issuer),
  [AuthStatus.issuerNotAllowedAudienceMissing]: issAudRow(AuthReason.issuer),
  [AuthStatus.audienceNotAllowed]: issAudRow(AuthReason.audience),
  [AuthStatus.issuerMissingAudienceNotAllowed]: issAudRow(AuthReason.issuer),
  [AuthStatus.issuerNotAllowedAudienceNotAllowed]: issAudRow(AuthReason.issuer),
  [AuthStatus.anonymousMissing]: {
    reason: AuthReason.anonymous,
    httpStatus: 500,
    challenge: Challenge.none,
    body: (ctx) => messageBody(JWT_MESSAGES.anonymousMissing(ctx.anonymous)),
  },
});

/** An exp, nbf or maximum_expiration status (its body is `{"exp":...,"nbf":...}`). */
export function isClaimsStatus(status: AuthStatus): boolean {
  return status > CLAIMS_STATUS_BASE && status <= CLAIMS_STATUS_BASE + 9;
}

/** An issuer or audience status (its body is `{"iss":...,"aud":...}`). */
export function isIssuerAudienceStatus(status: AuthStatus): boolean {
  return status > ISSUER_AUDIENCE_STATUS_BASE && status <= ISSUER_AUDIENCE_STATUS_BASE + 8;
}
