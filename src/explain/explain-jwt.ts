// For `explain`: the jwt stage's steps one by one, each with its input and result, built from the stage's own parts.
import type { CompiledConfig, CompiledJwtPlugin, JwtAlgorithm } from '../config/types.js';
import type { AuthRequest } from '../auth/types.js';
import { createClaimsChecker } from '../auth/claims.js';
import { createCredentialKeys, NO_KEY, NO_SECRET } from '../auth/credential-keys.js';
import type { JwksRegistry } from '../auth/jwks/jwks-registry.js';
import { AuthStatus, statusMessage } from '../auth/auth-status.js';
import { checkAccess, checkIssuerAudience, claimAt, issuerAudienceBody } from '../auth/jwt-policy.js';
import { decodeToken, ownValue, signatureBytes } from '../auth/token-decoder.js';
import { createTokenExtractor, MULTIPLE_TOKENS, NO_TOKEN } from '../auth/token-extractor.js';
import { createHmacVerifier } from '../crypto/hmac.js';
import { verifyAsymmetric } from '../crypto/asymmetric.js';
import { nearMisses } from './near-misses.js';

export interface JwtStep {
  step: string;
  input: Record<string, unknown>;
  result: 'pass' | 'fail' | 'skip';
  detail: string;
}

export interface ExplainJwtOptions {
  now?: () => number;
  jwks: JwksRegistry;
}

function preview(token: string): string {
  return token.length <= 40 ? token : `${token.slice(0, 20)}…${token.slice(-12)} (${token.length} chars)`;
}

/** The steps in the order the authenticator takes them; the list ends at the first failure. */
export async function explainJwt(
  config: CompiledConfig,
  plugin: CompiledJwtPlugin,
  req: AuthRequest,
  options: ExplainJwtOptions,
): Promise<JwtStep[]> {
  const c = plugin.config;
  const policy = plugin.policy;
  const steps: JwtStep[] = [];
  const add = (step: string, input: Record<string, unknown>, ok: boolean, detail: string): boolean => {
    steps.push({ step, input, result: ok ? 'pass' : 'fail', detail });
    return ok;
  };

  if (!c.run_on_preflight && req.method === 'OPTIONS') {
    steps.push({
      step: 'preflight',
      input: { method: 'OPTIONS', run_on_preflight: false },
      result: 'skip',
      detail: 'the plugin does not run on preflight requests',
    });
    return steps;
  }
  const sources = { header_names: c.header_names, uri_param_names: c.uri_param_names, cookie_names: c.cookie_names };
  const token = createTokenExtractor(c).extract(req);
  if (typeof token === 'number') {
    const why =
      token === NO_TOKEN
        ? 'no token in any configured place'
        : token === MULTIPLE_TOKENS
          ? 'more than one token'
          : 'a header value that is not `Bearer <token>`';
    add('token', sources, false, why);
    return steps;
  }
  add('token', { ...sources, token: preview(token) }, true, 'one token found');

  const decoded = decodeToken(token);
  if (typeof decoded === 'number') {
    add('decode', { token: preview(token) }, false, statusMessage(decoded, c.key_claim_name));
    return steps;
  }
  add('decode', { header: decoded.header, claims: decoded.claims }, true, `alg ${decoded.alg}`);

  if (policy !== null && (policy.issuers !== null || policy.audiences !== null)) {
    const code = checkIssuerAudience(policy, decoded.claims);
    const input = {
      iss: ownValue(decoded.claims, 'iss') ?? null,
      issuers: policy.issuers && [...policy.issuers],
      aud: ownValue(decoded.claims, 'aud') ?? null,
      audiences: policy.audiences && [...policy.audiences],
    };
    if (!add('issuer_audience', input, code === AuthStatus.ok, code === AuthStatus.ok ? 'allowed' : issuerAudienceBody(code))) return steps;
  }

  const kcn = c.key_claim_name;
  let keyValue = ownValue(decoded.claims, kcn);
  let from = 'claims';
  if (keyValue === undefined || keyValue === false) {
    keyValue = ownValue(decoded.header, kcn);
    from = 'header';
  }
  if (keyValue === undefined || keyValue === false) {
    add('key_claim', { key_claim_name: kcn }, false, `no '${kcn}' in the claims or the header`);
    return steps;
  }
  if (
    !add(
      'key_claim',
      { key_claim_name: kcn, from, value: keyValue },
      typeof keyValue === 'string' && keyValue !== '',
      typeof keyValue === 'string' ? 'a string' : 'not a non-empty string',
    )
  )
    return steps;

  const hmac = createHmacVerifier();
  const keys = createCredentialKeys(config, hmac, options.jwks);
  const prepared = keys.get(keyValue as string);
  if (prepared === undefined) {
    add(
      'credential',
      { value: keyValue, compared_with: nearMisses(keyValue as string, [...config.credentialsByKey.keys()]) },
      false,
      `no credential has key ${JSON.stringify(keyValue)} (exact, case-sensitive comparison)`,
    );
    return steps;
  }
  const consumer = prepared.credential.consumer.entity;
  add('credential', { value: keyValue, consumer: consumer.username ?? consumer.custom_id ?? consumer.id }, true, 'exact match');
  if (
    !add(
      'algorithm',
      { token: decoded.alg, credential: prepared.alg },
      prepared.alg === decoded.alg,
      prepared.alg === decoded.alg ? 'equal' : "the token's alg must equal the credential's algorithm",
    )
  )
    return steps;

  const signingInput = token.slice(0, decoded.signingInputLength);
  if (prepared.isHmac) {
    const slot = c.secret_is_base64 ? prepared.hmacSlotBase64 : prepared.hmacSlot;
    const signed = decoded.signatureEnd === token.length ? token : token.slice(0, decoded.signatureEnd);
    const ok = slot !== NO_KEY && slot !== NO_SECRET && hmac.verify(slot, signed, decoded.signingInputLength) === AuthStatus.ok;
    const detail =
      slot === NO_KEY
        ? 'the secret is not valid base64 (secret_is_base64)'
        : slot === NO_SECRET
          ? 'the credential has no secret'
          : ok
            ? 'valid'
            : "does not verify with the credential's secret";
    if (!add('signature', { alg: decoded.alg, secret_is_base64: c.secret_is_base64 }, ok, detail)) return steps;
  } else {
    let key = prepared.publicKey;
    const input: Record<string, unknown> = { alg: decoded.alg };
    if (prepared.jwks !== null) {
      const kid = ownValue(decoded.header, 'kid');
      input.kid = kid ?? null;
      const source = prepared.credential.entity;
      input.jwks = source.jwks_uri ?? (source.oidc_issuer ? `discovered from ${source.oidc_issuer}` : 'inline');
      key = typeof kid === 'string' || kid === undefined ? await prepared.jwks.key(kid, prepared.alg) : null;
      if (!add('key', input, key !== null, key !== null ? 'found in the JWKS' : 'no key in the JWKS for this kid and alg')) return steps;
    } else if (key === null) {
      add('key', input, false, 'the credential has no public key');
      return steps;
    }
    const ok = verifyAsymmetric(decoded.alg as JwtAlgorithm, key!, signingInput, signatureBytes(token, decoded)) === AuthStatus.ok;
    if (!add('signature', input, ok, ok ? 'valid' : "does not verify with the credential's key")) return steps;
  }

  const leeway = policy?.leeway ?? 0;
  const now = options.now?.() ?? Math.floor(Date.now() / 1000);
  if ((c.claims_to_verify?.length ?? 0) > 0 || c.maximum_expiration > 0) {
    const checker = createClaimsChecker(c.claims_to_verify, c.maximum_expiration, leeway);
    const exp = ownValue(decoded.claims, 'exp');
    const nbf = ownValue(decoded.claims, 'nbf');
    const code = checker.check(exp, nbf, now);
    const input = {
      claims_to_verify: c.claims_to_verify,
      maximum_expiration: c.maximum_expiration,
      leeway,
      now,
      exp: exp ?? null,
      nbf: nbf ?? null,
      ...(typeof exp === 'number' ? { exp_in_seconds: exp - now } : {}),
      ...(typeof nbf === 'number' ? { nbf_in_seconds: nbf - now } : {}),
    };
    if (!add('time_claims', input, code === AuthStatus.ok, code === AuthStatus.ok ? 'valid now' : checker.body(code))) return steps;
  } else {
    steps.push({
      step: 'time_claims',
      input: { claims_to_verify: null },
      result: 'skip',
      detail: 'claims_to_verify is empty: exp and nbf are not checked',
    });
  }

  if (policy !== null && (policy.scopes !== null || policy.roles !== null)) {
    const code = checkAccess(policy, decoded.claims);
    const show = (r: typeof policy.scopes) =>
      r && {
        required: r.required,
        match: r.any ? 'any' : 'all',
        claims: r.claims.map((x) => x.name),
        value: r.claims.map((x) => claimAt(decoded.claims, x.name, x.path)).find((v) => v !== undefined) ?? null,
      };
    add(
      'scopes_roles',
      { scopes: show(policy.scopes), roles: show(policy.roles) },
      code === AuthStatus.ok,
      code === AuthStatus.ok ? 'satisfied' : code === AuthStatus.scope ? 'required scopes missing (403)' : 'required roles missing (403)',
    );
  }
  return steps;
}
