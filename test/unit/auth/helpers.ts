// Test helpers for the jwt stage: hand-built CompiledConfig objects, fake requests, fixture keys; token signing re-exported.
import { makeToken } from '../../helpers/tokens.js';
import { gatewaySettings } from '../../helpers/gateway-settings.js';
import { readFileSync } from 'node:fs';
import type {
  CompiledConfig,
  CompiledConsumer,
  CompiledCredential,
  CompiledJwtPlugin,
  GatewaySettings,
  JwtAlgorithm,
  JwtPluginConfig,
} from '../../../src/config/types.js';
import type { AuthDecision, AuthDeny, AuthOutcome, AuthRequest } from '../../../src/auth/types.js';
import { jwtConfigDefaults } from '../../../src/config/fields.js';
import { compileCredential } from '../../../src/config/compile.js';
import { compileJwtPolicy } from '../../../src/auth/jwt-policy.js';
import { createHmacVerifier, type HmacVerifier } from '../../../src/crypto/hmac.js';

export interface KeyPair {
  publicPem: string;
  privatePem: string;
}
export const KEYS: Record<string, KeyPair> = JSON.parse(
  readFileSync(new URL('../../fixtures/auth/keys.json', import.meta.url), 'utf8'),
) as Record<string, KeyPair>;

export const NOW = 1_700_000_000;

export { b64url, makeToken, signature } from '../../helpers/tokens.js';

export function hs256(payload: object, secret: string | Buffer = 'alice-secret'): string {
  return makeToken({ typ: 'JWT', alg: 'HS256' }, payload, secret);
}

export interface CredentialSpec {
  key: string;
  algorithm?: JwtAlgorithm;
  secret?: string | null;
  rsa_public_key?: string | null;
}
export interface ConsumerSpec {
  id: string;
  username?: string | null;
  custom_id?: string | null;
  credentials?: CredentialSpec[];
}

export const ALICE_ID = '11111111-1111-4111-8111-111111111111';
export const BOB_ID = '22222222-2222-4222-8222-222222222222';
export const ANON_ID = '33333333-3333-4333-8333-333333333333';

export const DEFAULT_CONSUMERS: ConsumerSpec[] = [
  { id: ALICE_ID, username: 'alice', custom_id: 'cid-1', credentials: [{ key: 'alice-key', algorithm: 'HS256', secret: 'alice-secret' }] },
  { id: BOB_ID, username: 'bob', credentials: [{ key: 'bob-key', algorithm: 'HS256', secret: 'bob-secret' }] },
  { id: ANON_ID, username: 'anonymous-user' },
];

/** Builds the compiled form by hand (credentials through compile's own compileCredential), so the auth tests need no config file. */
export function buildConfig(
  consumers: ConsumerSpec[] = DEFAULT_CONSUMERS,
  tokenCache: Partial<GatewaySettings['token_cache']> = {},
): CompiledConfig {
  const consumersById = new Map<string, CompiledConsumer>();
  const consumersByUsername = new Map<string, CompiledConsumer>();
  const credentialsByKey = new Map<string, CompiledCredential>();
  let n = 0;
  for (const spec of consumers) {
    const entity = { id: spec.id, username: spec.username ?? null, custom_id: spec.custom_id ?? null, tags: null };
    const headers = ['X-Consumer-ID', spec.id];
    if (entity.username !== null) headers.push('X-Consumer-Username', entity.username);
    if (entity.custom_id !== null) headers.push('X-Consumer-Custom-ID', entity.custom_id);
    const consumer: CompiledConsumer = { entity, upstreamHeaders: headers };
    consumersById.set(spec.id, consumer);
    if (entity.username !== null) consumersByUsername.set(entity.username, consumer);
    for (const c of spec.credentials ?? []) {
      const algorithm = c.algorithm ?? 'HS256';
      const entity = {
        id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
        consumer: spec.id,
        key: c.key,
        secret: c.secret === undefined ? null : c.secret,
        algorithm,
        rsa_public_key: c.rsa_public_key ?? null,
        tags: null,
      };
      credentialsByKey.set(c.key, compileCredential(entity, consumer));
    }
  }
  const gateway = gatewaySettings({
    max_header_bytes: 65536,
    max_body_bytes: 1048576,
    log_level: 'silent',
    drain_timeout_ms: 1000,
    token_cache: { enabled: true, max_entries: 1000, max_bytes: 1 << 20, max_token_bytes: 8192, ...tokenCache },
  });
  return {
    generation: 1,
    validated: { _format_version: '3.0', gateway, services: [], routes: [], plugins: [], consumers: [], jwt_secrets: [] },
    gateway,
    services: [],
    routes: [],
    consumersById,
    consumersByUsername,
    credentialsByKey,
  };
}

export function pluginConfig(overrides: Partial<JwtPluginConfig> = {}): JwtPluginConfig {
  return { ...jwtConfigDefaults(), ...overrides };
}

let pluginCount = 0;
export function plugin(overrides: Partial<JwtPluginConfig> = {}): CompiledJwtPlugin {
  const config = pluginConfig(overrides);
  return {
    entity: {
      id: `99999999-0000-4000-8000-${String(++pluginCount).padStart(12, '0')}`,
      name: 'jwt',
      enabled: true,
      service: null,
      route: null,
      config,
      protocols: ['http', 'https'],
      tags: null,
    },
    config,
    policy: compileJwtPolicy(config),
  };
}

export interface RequestSpec {
  method?: string;
  query?: string;
  headers?: Record<string, string>;
}

/** An AuthRequest snapshot; header names are matched case-insensitively like uWS's lower-cased names. */
export function request(spec: RequestSpec = {}): AuthRequest {
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(spec.headers ?? {})) headers.set(k.toLowerCase(), v);
  return {
    method: spec.method ?? 'GET',
    query: spec.query ?? '',
    header: (name: string) => headers.get(name),
    headers: [...headers].flat(),
  };
}

export function bearer(token: string, extra: Omit<RequestSpec, 'headers'> & { headers?: Record<string, string> } = {}): AuthRequest {
  return request({ ...extra, headers: { authorization: `Bearer ${token}`, ...extra.headers } });
}

/** The decision of a synchronous outcome (HMAC, cache hit); throws on a Promise. */
export function sync(o: AuthOutcome): AuthDecision {
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return o;
}

/** The deny of a synchronous outcome; throws on anything else. */
export function denied(o: AuthOutcome): AuthDeny {
  const d = sync(o);
  if (d.kind !== 'deny') throw new Error(`expected deny, got ${d.kind}`);
  return d;
}

/** A fresh HMAC verifier (its own keyring, as each generation's is) that records every one-call check's answer. */
export function recordingCheckToken(): { hmac: HmacVerifier; answers: number[] } {
  const verifier = createHmacVerifier();
  const answers: number[] = [];
  const hmac: HmacVerifier = {
    ...verifier,
    checkToken(token, headerAlg, claimNameId, secretIsBase64) {
      const answer = verifier.checkToken(token, headerAlg, claimNameId, secretIsBase64);
      answers.push(answer);
      return answer;
    },
  };
  return { hmac, answers };
}
