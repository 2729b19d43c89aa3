// Micro bench of the jwt stage: a verified-cache hit per request vs a full HS256 verify (needs `npm run build:ts`).
import { createHmac } from 'node:crypto';
import { Bench } from 'tinybench';
import { createAuthenticator } from '../../dist/auth/authenticator.js';
import { createVerifiedCache } from '../../dist/auth/verified-cache.js';

const NOW = Math.floor(Date.now() / 1000);
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
function hs256(payload, secret) {
  const input = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function config(cacheEnabled) {
  const consumer = { entity: { id: 'c0ffee00-0000-4000-8000-000000000001', username: 'alice', custom_id: null, tags: null }, upstreamHeaders: [] };
  const credential = {
    entity: { id: 'c0ffee00-0000-4000-8000-000000000002', consumer: consumer.entity.id, key: 'alice-key', secret: 'alice-secret', algorithm: 'HS256', rsa_public_key: null, tags: null },
    consumer, publicKey: null, secretBytes: Buffer.from('alice-secret'), secretBase64Bytes: null,
  };
  const gateway = { token_cache: { enabled: cacheEnabled, max_entries: 100000, max_bytes: 64 << 20, max_token_bytes: 8192 } };
  return {
    generation: 1, validated: {}, gateway, services: [], routes: [],
    consumersById: new Map([[consumer.entity.id, consumer]]),
    consumersByUsername: new Map([['alice', consumer]]),
    credentialsByKey: new Map([['alice-key', credential]]),
  };
}
function plugin(claims) {
  const cfg = {
    uri_param_names: ['jwt'], cookie_names: [], header_names: ['authorization'], key_claim_name: 'iss',
    secret_is_base64: false, claims_to_verify: claims, anonymous: null, run_on_preflight: true, maximum_expiration: 0, realm: null,
  };
  return { entity: { id: 'p1', name: 'jwt', config: cfg }, config: cfg };
}

// A realistic login-server token (~300 bytes).
const token = hs256({ iss: 'alice-key', sub: 'user-123456', name: 'Alice Example', roles: ['reader', 'writer'], iat: NOW, nbf: NOW, exp: NOW + 3600, jti: 'b3f1c2d4-9a8e-4f6b-8c7d-1e2f3a4b5c6d' }, 'alice-secret');
// What the front end hands over: a fresh header string each request, as copied out of uWS.
const headerValue = `Bearer ${token}`;
const req = { method: 'GET', query: '', header: (n) => (n === 'authorization' ? headerValue.slice(0) : undefined) };

const cached = createAuthenticator(config(true));
const uncached = createAuthenticator(config(false));
const pNoClaims = plugin(null);
const pExp = plugin(['exp', 'nbf']);
for (const a of [cached, uncached]) {
  for (const p of [pNoClaims, pExp]) if (a.authenticate(p, req).kind !== 'allow') throw new Error('setup: token refused');
}
const cache = createVerifiedCache({ maxEntries: 1000, maxBytes: 1 << 20, maxTokenBytes: 8192 });
cache.set(token, { value: 1, keyClaimName: 'iss', secretIsBase64: false, exp: NOW + 3600, nbf: NOW });
const lookupToken = `${token}`;

const bench = new Bench({ time: 1000, warmupTime: 200 });
bench
  .add('verified-cache get() alone', () => { cache.get(lookupToken, 'iss', false); })
  .add('authenticate: cache hit, no claims', () => { cached.authenticate(pNoClaims, req); })
  .add('authenticate: cache hit, exp+nbf re-checked', () => { cached.authenticate(pExp, req); })
  .add(`authenticate: full HS256 verify (${uncached.hmacEngine}), no cache`, () => { uncached.authenticate(pNoClaims, req); })
  .add(`authenticate: full HS256 verify (${uncached.hmacEngine}) + exp/nbf, no cache`, () => { uncached.authenticate(pExp, req); });

await bench.run();
console.log(`token ${token.length} chars, HMAC engine ${uncached.hmacEngine}`);
console.table(bench.tasks.map((t) => ({
  task: t.name,
  'ns/op (mean)': Math.round(t.result.latency.mean * 1e6),
  'ns/op (p50)': Math.round(t.result.latency.p50 * 1e6),
  'ops/s': Math.round(t.result.throughput.mean),
})));
