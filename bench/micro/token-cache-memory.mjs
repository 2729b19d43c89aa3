// Measures the real heap bytes one verified-token cache entry costs, filled through the authenticator as requests fill it.
// Run: node --expose-gc bench/micro/token-cache-memory.mjs [entries] (needs `npm run build:ts`).
import { createAuthenticator } from '../../dist/auth/authenticator.js';
import { config, hs256, NOW, plugin } from './jwt-fixture.mjs';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const entries = Number(process.argv[2] ?? 50000);

function settle() {
  for (let i = 0; i < 4; i++) globalThis.gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

// Big enough that only max_entries binds; the accounted bytes are read back from stats().
const auth = createAuthenticator(config(true, { max_entries: entries, max_bytes: Number.MAX_SAFE_INTEGER }));
const p = plugin(['exp']);
const tokens = [];
for (let i = 0; i < entries; i++) {
  tokens.push(
    hs256(
      {
        iss: 'alice-key',
        sub: `user-${100000 + i}`,
        iat: NOW,
        exp: NOW + 3600,
        jti: `b3f1c2d4-9a8e-4f6b-8c7d-${String(i).padStart(12, '0')}`,
      },
      'alice-secret',
    ),
  );
}
const before = settle();
for (let i = 0; i < entries; i++) {
  // What the front end hands over: a flat header string per request, copied out of uWS.
  const headerValue = Buffer.from(`Bearer ${tokens[i]}`, 'latin1').toString('latin1');
  const req = {
    method: 'GET',
    query: '',
    header: (n) => (n === 'authorization' ? headerValue : undefined),
    headers: ['authorization', headerValue],
  };
  if (/** @type {any} */ (auth.authenticate(p, req)).kind !== 'allow') throw new Error('setup: token refused');
}
const after = settle();
const stats = auth.stats();
if (stats.cacheEntries !== entries) throw new Error(`expected ${entries} entries, got ${stats.cacheEntries}`);
// The script's own token strings exist before and after: the difference is what the cache holds (header copy
// or token, index, entry objects).
const realPerEntry = (after.heap - before.heap) / entries;
const tokenChars = tokens.reduce((n, t) => n + t.length, 0) / entries;
const accountedPerEntry = stats.cacheBytes / entries;
console.log(
  JSON.stringify({
    entries,
    tokenChars: Math.round(tokenChars),
    realBytesPerEntry: Math.round(realPerEntry),
    accountedBytesPerEntry: Math.round(accountedPerEntry),
    ratioRealToAccounted: Number((realPerEntry / accountedPerEntry).toFixed(2)),
    rssGrowthMiB: Number(((after.rss - before.rss) / 1048576).toFixed(1)),
  }),
);
tokens.length = 0;
