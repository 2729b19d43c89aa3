// The jwt stage: Kong's access-phase flow (extract, cache, decode, key claim, credential, alg, key, signature, claims).
import type { KeyObject } from 'node:crypto';
import type { CompiledConfig, CompiledJwtPlugin, JwtAlgorithm } from '../config/types.js';
import { createHmacVerifier, type HmacVerifier } from '../crypto/hmac.js';
import { TOKEN_CHECK } from '../native/addon.js';
import { verifyAsymmetric as verifyAsymmetricInline, type AsymmetricVerify, type SignatureStatus } from '../crypto/asymmetric.js';
import { checkAccess, checkIssuerAudience } from './jwt-policy.js';
import { AuthStatus } from './auth-status.js';
import { buildPluginState, type PluginState } from './plugin-state.js';
import { buildPolicyHeaders, createValueInterner, tokenIdentityHeaders } from './policy-headers.js';
import { createCredentialKeys, jwksUrisOf, NO_KEY, NO_SECRET, type CredentialKeys, type PreparedCredential } from './credential-keys.js';
import type { JwksKeySource } from './jwks/jwks-cache.js';
import { createTokenDecoder, ownValue, signatureBytes, type DecodedToken } from './token-decoder.js';
import {
  AuthReason,
  type AuthAllow,
  type AuthBypass,
  type AuthDecision,
  type AuthOutcome,
  type AuthRequest,
  type AuthStats,
  type Authenticator,
} from './types.js';
import { createVerifiedCache, storedToken, type VerifiedCache, type VerifiedEntry } from './verified-cache.js';
import type { JwksRegistry } from './jwks/jwks-registry.js';

export interface AuthenticatorOptions {
  /** Unix time in seconds; Kong uses nginx's cached integer time. Default: floor(Date.now() / 1000). */
  now?: () => number;
  /** Default: createHmacVerifier() (native addon when it loads). */
  hmac?: HmacVerifier;
  /** Default: inline node:crypto. May answer with a Promise (libuv, pool); `overloaded` when its queue is full (→ 503). */
  verifyAsymmetric?: AsymmetricVerify;
  /** JWKS caches for `jwks_uri` / OIDC credentials (the thread runtime's); required when the config has any. */
  jwks?: JwksRegistry;
}

const BYPASS: AuthBypass = Object.freeze({ kind: 'bypass', reason: AuthReason.anonymous });

/** What a token's built headers count against the cache's max_bytes: their characters and a string header each. */
function headerBytes(headers: readonly string[]): number {
  let n = 0;
  for (let i = 1; i < headers.length; i += 2) n += headers[i]!.length + 16;
  return n;
}

function defaultNow(): number {
  return Math.floor(Date.now() / 1000);
}

export function createAuthenticator(config: CompiledConfig, options: AuthenticatorOptions = {}): Authenticator {
  const now = options.now ?? defaultNow;
  const hmac = options.hmac ?? createHmacVerifier();
  const verifyAsym = options.verifyAsymmetric ?? verifyAsymmetricInline;
  const jwksUris = jwksUrisOf(config);
  const usesJwksUri = jwksUris.size > 0;
  const jwksRegistry: JwksRegistry | undefined = options.jwks;
  // No hidden fallback to a shared registry: a caller that forgot the runtime's must hear of it at once.
  if (usesJwksUri && jwksRegistry === undefined)
    throw new TypeError('createAuthenticator: the config has jwks_uri credentials but no JWKS registry was passed');
  const keys: CredentialKeys = createCredentialKeys(config, hmac, jwksRegistry);
  // A new generation closes the caches of URIs no credential uses any more.
  jwksRegistry?.retain(jwksUris);
  // A JWKS key-set change (rotation) must invalidate what the old keys verified; checked on each cache lookup.
  const watchJwks: JwksRegistry | null = usesJwksUri && jwksRegistry !== undefined ? jwksRegistry : null;
  let jwksChangesSeen = watchJwks?.changes ?? 0;
  let queueFull = 0;
  const decoder = createTokenDecoder();
  const cacheSettings = config.gateway.token_cache;
  const cache: VerifiedCache<AuthAllow> | null = cacheSettings.enabled
    ? createVerifiedCache<AuthAllow>({
        maxEntries: cacheSettings.max_entries,
        maxBytes: cacheSettings.max_bytes,
        maxTokenBytes: cacheSettings.max_token_bytes,
      })
    : null;

  // Claim header values shared between cached tokens, kept once for this generation.
  const internValue = createValueInterner();

  const states = new Map<CompiledJwtPlugin, PluginState>();
  for (const route of config.routes) {
    if (route.jwt !== null && !states.has(route.jwt)) states.set(route.jwt, buildPluginState(config, route.jwt, hmac.claimNameId));
  }
  // Cached allows keep the parsed claims only when some policy reads them (a Kong config never does).
  const keepClaims = [...states.values()].some((s) => s.needsClaims);
  // Plugin objects not listed in config.routes are prepared on first use and held weakly.
  const lateStates = new WeakMap<CompiledJwtPlugin, PluginState>();
  function stateFor(plugin: CompiledJwtPlugin): PluginState {
    let st = states.get(plugin) ?? lateStates.get(plugin);
    if (st === undefined) {
      st = buildPluginState(config, plugin, hmac.claimNameId);
      lateStates.set(plugin, st);
    }
    return st;
  }

  /** The plugin's answer to a refusal status: its prebuilt deny, or the anonymous consumer when one is configured. */
  function fail(st: PluginState, status: AuthStatus): AuthDecision {
    return st.anonymous ?? st.denies[status]!;
  }

  /** Scopes and roles: only a verified token can be "authenticated but not allowed" (403). */
  function accessDenied(st: PluginState, claims: Record<string, unknown>): AuthDecision | null {
    const status = checkAccess(st.policy!, claims);
    return status === AuthStatus.ok ? null : fail(st, status);
  }

  /**
   * Steps 9–12 after the signature verified: claims, maximum_expiration, cache. Kong's step 11 (consumer
   * not found) cannot happen: compileConfig keeps only credentials whose consumer exists.
   */
  function afterSignature(st: PluginState, token: string, decoded: DecodedToken, prepared: PreparedCredential): AuthDecision {
    const exp = ownValue(decoded.claims, 'exp');
    const nbf = ownValue(decoded.claims, 'nbf');
    if (st.usesClock) {
      const status = st.claims.check(exp, nbf, now());
      if (status !== AuthStatus.ok) return fail(st, status);
    }
    if (st.access) {
      const denied = accessDenied(st, decoded.claims);
      if (denied !== null) return denied;
    }
    const credential = prepared.credential;
    const withClaims = keepClaims || st.needsClaims;
    // Only an allowed token is stored: a refusal (even one for its claims alone) never fills the cache.
    const kept = cache !== null && token.length <= cacheSettings.max_token_bytes ? storedToken(token) : token;
    const upstream = st.buildsPolicyHeaders ? st.policy!.upstream! : null;
    const policyHeaders = upstream === null ? undefined : buildPolicyHeaders(upstream, decoded.claims, kept, internValue);
    const allow: AuthAllow = Object.freeze({
      kind: 'allow',
      reason: AuthReason.ok,
      consumer: credential.consumer,
      credential,
      anonymous: false,
      token: kept,
      claims: withClaims ? decoded.claims : undefined,
      policyHeaders,
      identityHeaders: tokenIdentityHeaders(prepared.identity, policyHeaders),
      credentialIdentity: prepared.identity,
    });
    if (cache !== null) {
      cache.set(kept, {
        value: allow,
        keyClaimName: st.keyClaimName,
        secretIsBase64: st.secretIsBase64,
        exp,
        nbf,
        // Parsed claims cost about twice their encoded size; counted against max_bytes, with the built headers.
        extraBytes:
          (withClaims ? 2 * decoded.signingInputLength : 0) + (policyHeaders === undefined ? 0 : headerBytes(policyHeaders.headers)),
        // Issuer, audience, scopes and roles passed (they depend on the claims alone): a hit on this route skips them.
        passedPolicy: st,
      });
    }
    return allow;
  }

  function verifyAsymmetricPath(
    st: PluginState,
    token: string,
    decoded: DecodedToken,
    prepared: PreparedCredential,
    key: KeyObject,
  ): AuthOutcome {
    const result = verifyAsym(decoded.alg as JwtAlgorithm, key, token.slice(0, decoded.signingInputLength), signatureBytes(token, decoded));
    if (typeof result === 'number') return signatureChecked(st, result, token, decoded, prepared);
    return result.then(
      (status) => signatureChecked(st, status, token, decoded, prepared),
      // A verifier fault (not a bad signature, which is a status) still refuses the token.
      () => fail(st, AuthStatus.invalidSignature),
    );
  }

  function signatureChecked(
    st: PluginState,
    status: SignatureStatus,
    token: string,
    decoded: DecodedToken,
    prepared: PreparedCredential,
  ): AuthDecision {
    if (status === AuthStatus.ok) return afterSignature(st, token, decoded, prepared);
    if (status !== AuthStatus.overloaded) return fail(st, status);
    queueFull++;
    // Not an authentication failure: never swallowed by `anonymous`.
    return st.denies[AuthStatus.overloaded]!;
  }

  function authenticate(plugin: CompiledJwtPlugin, request: AuthRequest): AuthOutcome {
    const st = stateFor(plugin);
    if (!st.runOnPreflight && request.method === 'OPTIONS') return BYPASS;

    const token = st.extractor.extract(request);
    if (typeof token === 'number') return fail(st, token);

    if (cache !== null) {
      if (watchJwks !== null && watchJwks.changes !== jwksChangesSeen) {
        jwksChangesSeen = watchJwks.changes;
        cache.clear();
      }
      const hit: VerifiedEntry<AuthAllow> | undefined = cache.get(token, st.keyClaimName, st.secretIsBase64);
      // An entry stored without claims cannot answer a policy that reads them: verified again below.
      if (hit !== undefined && (!st.needsClaims || hit.value.claims !== undefined)) {
        // The entry was allowed under some route's policy: another route's policy is checked again, in the miss
        // order; under the policy it passed, only the clock can change the answer.
        const hitClaims = hit.value.claims as Record<string, unknown>;
        const passed = hit.passedPolicy === st;
        if (st.claimPolicy && !passed) {
          const status = checkIssuerAudience(st.policy!, hitClaims);
          if (status !== AuthStatus.ok) return fail(st, status);
        }
        if (st.usesClock) {
          const status = st.claims.check(hit.exp, hit.nbf, now());
          if (status !== AuthStatus.ok) return fail(st, status);
        }
        if (st.access && !passed) {
          const denied = accessDenied(st, hitClaims);
          if (denied !== null) return denied;
        }
        if (!passed && (st.claimPolicy || st.access)) hit.passedPolicy = st;
        return hit.value;
      }
    }

    // A bad signature in one native call, when the addon is sure Kong's flow would reach the signature and fail it;
    // whatever it is not sure of (and every match) goes through the flow below. Issuer and audience checks come
    // before the signature, so a route with them takes the flow.
    if (!st.claimPolicy) {
      const headerAlg = decoder.rememberedAlg(token);
      if (headerAlg !== null && hmac.checkToken(token, headerAlg, st.checkClaimNameId, st.secretIsBase64) === TOKEN_CHECK.MISMATCH)
        return fail(st, AuthStatus.invalidSignature);
    }

    const decoded = decoder.decode(token, st.keyClaimName);
    if (typeof decoded === 'number') return fail(st, decoded);
    // Issuer and audience are cheap and need no key: checked before the signature (scopes and roles after it).
    if (st.claimPolicy) {
      const status = checkIssuerAudience(st.policy!, decoded.claims);
      if (status !== AuthStatus.ok) return fail(st, status);
    }

    const kcn = st.keyClaimName;
    let keyValue = decoded.claim(kcn);
    if (keyValue === undefined || keyValue === false) keyValue = ownValue(decoded.header, kcn);
    if (keyValue === undefined || keyValue === false) return fail(st, AuthStatus.noMandatoryClaim);
    // Kong crashes (500) on a non-string key; refused here as an invalid key claim.
    if (typeof keyValue !== 'string' || keyValue === '') return fail(st, AuthStatus.invalidClaim);

    const prepared = keys.get(keyValue);
    if (prepared === undefined) return fail(st, AuthStatus.noCredentials);
    if (prepared.alg !== decoded.alg) return fail(st, AuthStatus.invalidAlgorithm);

    if (prepared.isHmac) {
      const slot = st.secretIsBase64 ? prepared.hmacSlotBase64 : prepared.hmacSlot;
      if (slot === NO_KEY) return fail(st, AuthStatus.invalidKeySecret);
      // nginx ignores everything after the signature's first '='; the verifier only sees what was decoded
      // (otherwise a non-ASCII tail would fail HS* tokens but not the others).
      const signed = decoded.signatureEnd === token.length ? token : token.slice(0, decoded.signatureEnd);
      if (slot === NO_SECRET) return fail(st, AuthStatus.invalidSignature);
      const status = hmac.verify(slot, signed, decoded.signingInputLength);
      if (status !== AuthStatus.ok) return fail(st, status);
      return afterSignature(st, token, decoded, prepared);
    }
    if (prepared.jwks !== null) return jwksPath(st, token, decoded, prepared, prepared.jwks);
    if (prepared.publicKey === null) return fail(st, AuthStatus.invalidKeySecret);
    return verifyAsymmetricPath(st, token, decoded, prepared, prepared.publicKey);
  }

  /** Extension: the key comes from a JWKS by the token's `kid`; none fits (even after the one allowed refetch) → `Invalid signature`. */
  function jwksPath(
    st: PluginState,
    token: string,
    decoded: DecodedToken,
    prepared: PreparedCredential,
    source: JwksKeySource,
  ): AuthOutcome {
    const kid = ownValue(decoded.header, 'kid');
    if (kid !== undefined && typeof kid !== 'string') return fail(st, AuthStatus.invalidSignature);
    const found = source.key(kid, prepared.alg);
    if (found === null) return fail(st, AuthStatus.unknownKid);
    if (!(found instanceof Promise)) return verifyAsymmetricPath(st, token, decoded, prepared, found);
    return found.then(
      (key) => (key === null ? fail(st, AuthStatus.unknownKid) : verifyAsymmetricPath(st, token, decoded, prepared, key)),
      () => fail(st, AuthStatus.invalidSignature),
    );
  }

  return {
    hmacEngine: hmac.engine,
    authenticate,
    stats(): AuthStats {
      const s = cache?.stats();
      return {
        cacheHits: s?.hits ?? 0,
        cacheMisses: s?.misses ?? 0,
        cacheEvictions: s?.evictions ?? 0,
        cacheEntries: s?.entries ?? 0,
        cacheBytes: s?.bytes ?? 0,
        verifyQueueFull: queueFull,
      };
    },
  };
}
