// Micro bench of the jwt stage: a verified-cache hit per request vs a full HS256 verify (needs `npm run build:ts`).
import { Bench } from 'tinybench';
import { createAuthenticator } from '../../dist/auth/authenticator.js';
import { createVerifiedCache } from '../../dist/auth/verified-cache.js';
import { config, hs256, loginClaims, NOW, plugin } from './jwt-fixture.mjs';

const token = hs256(loginClaims(), 'alice-secret');
// What the front end hands over: a fresh header string each request, as copied out of uWS.
const headerValue = `Bearer ${token}`;
const req = {
  method: 'GET',
  query: '',
  header: (n) => (n === 'authorization' ? headerValue.slice(0) : undefined),
  headers: ['authorization', headerValue],
};

const cached = createAuthenticator(config(true));
const uncached = createAuthenticator(config(false));
const pNoClaims = plugin(null);
const pExp = plugin(['exp', 'nbf']);
for (const a of [cached, uncached]) {
  for (const p of [pNoClaims, pExp])
    if (/** @type {any} */ (a.authenticate(p, req)).kind !== 'allow') throw new Error('setup: token refused');
}
const cache = createVerifiedCache({ maxEntries: 1000, maxBytes: 1 << 20, maxTokenBytes: 8192 });
cache.set(token, { value: 1, keyClaimName: 'iss', secretIsBase64: false, exp: NOW + 3600, nbf: NOW });
const lookupToken = `${token}`;

const bench = new Bench({ time: 1000, warmupTime: 200 });
bench
  .add('verified-cache get() alone', () => {
    cache.get(lookupToken, 'iss', false);
  })
  .add('authenticate: cache hit, no claims', () => {
    cached.authenticate(pNoClaims, req);
  })
  .add('authenticate: cache hit, exp+nbf re-checked', () => {
    cached.authenticate(pExp, req);
  })
  .add(`authenticate: full HS256 verify (${uncached.hmacEngine}), no cache`, () => {
    uncached.authenticate(pNoClaims, req);
  })
  .add(`authenticate: full HS256 verify (${uncached.hmacEngine}) + exp/nbf, no cache`, () => {
    uncached.authenticate(pExp, req);
  });

await bench.run();
console.log(`token ${token.length} chars, HMAC engine ${uncached.hmacEngine}`);
console.table(
  bench.tasks.map((t) => ({
    task: t.name,
    'ns/op (mean)': Math.round(t.result.latency.mean * 1e6),
    'ns/op (p50)': Math.round(t.result.latency.p50 * 1e6),
    'ops/s': Math.round(t.result.throughput.mean),
  })),
);
