// Hand-built compiled config and HS256 tokens for the jwt-stage micro benches (dist build).
import { createHmac } from 'node:crypto';

export const NOW = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');

/** The claims of a realistic login-server token (~300 bytes once signed), valid for an hour from `now`. */
export function loginClaims(now = NOW) {
  return {
    iss: 'alice-key',
    sub: 'user-123456',
    name: 'Alice Example',
    roles: ['reader', 'writer'],
    iat: now,
    nbf: now,
    exp: now + 3600,
    jti: 'b3f1c2d4-9a8e-4f6b-8c7d-1e2f3a4b5c6d',
  };
}

export function hs256(payload, secret) {
  const input = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/**
 * One consumer `alice` with HS256 credential `alice-key`; `tokenCache` overrides the cache settings.
 * @returns {any} a partial compiled config, enough for the jwt stage
 */
export function config(cacheEnabled, tokenCache = {}) {
  const consumer = {
    entity: { id: 'c0ffee00-0000-4000-8000-000000000001', username: 'alice', custom_id: null, tags: null },
    upstreamHeaders: [],
  };
  const credential = {
    entity: {
      id: 'c0ffee00-0000-4000-8000-000000000002',
      consumer: consumer.entity.id,
      key: 'alice-key',
      secret: 'alice-secret',
      algorithm: 'HS256',
      rsa_public_key: null,
      tags: null,
    },
    consumer,
    identifierHeader: 'alice-key',
    publicKey: null,
    secretBytes: Buffer.from('alice-secret'),
    secretBase64Bytes: null,
  };
  const gateway = {
    token_cache: { enabled: cacheEnabled, max_entries: 100000, max_bytes: 64 << 20, max_token_bytes: 8192, ...tokenCache },
  };
  return {
    generation: 1,
    validated: {},
    gateway,
    services: [],
    routes: [],
    consumersById: new Map([[consumer.entity.id, consumer]]),
    consumersByUsername: new Map([['alice', consumer]]),
    credentialsByKey: new Map([['alice-key', credential]]),
  };
}

/** @returns {any} a partial compiled jwt plugin */
export function plugin(claims) {
  const cfg = {
    uri_param_names: ['jwt'],
    cookie_names: [],
    header_names: ['authorization'],
    key_claim_name: 'iss',
    secret_is_base64: false,
    claims_to_verify: claims,
    anonymous: null,
    run_on_preflight: true,
    maximum_expiration: 0,
    realm: null,
  };
  return { entity: { id: 'p1', name: 'jwt', config: cfg }, config: cfg, policy: null };
}
