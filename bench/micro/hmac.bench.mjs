// Micro bench of whole-token HMAC verify: native addon vs node:crypto createHmac+timingSafeEqual (HS256/384/512).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { loginClaims } from './jwt-fixture.mjs';

const require = createRequire(import.meta.url);
const ADDON = new URL('../../build/Release/portcullis_native.node', import.meta.url).pathname;
if (!existsSync(ADDON)) {
  console.error('hmac.bench: native addon not built (npx node-gyp rebuild)');
  process.exit(1);
}
const { Keyring } = require(ADDON);
const fallback = existsSync(new URL('../../dist/crypto/hmac.js', import.meta.url)) ? await import('../../dist/crypto/hmac.js') : null;

const NOW = 1_764_000_000;
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const ALG = { HS256: 0, HS384: 1, HS512: 2 };
const secret = Buffer.from('alice-secret-0123456789abcdef');

function sign(alg, claims) {
  const input = `${b64({ typ: 'JWT', alg })}.${b64(claims)}`;
  return `${input}.${createHmac(HASH[alg], secret).update(input).digest('base64url')}`;
}
// A realistic login-server token (~330 bytes) and a large IdP-style token (~8 KiB).
const claims = loginClaims(NOW);
const big = { ...claims, groups: Array.from({ length: 200 }, (_, i) => `group-${i}-${'x'.repeat(20)}`) };

// The baseline a plain JS gateway would write: split, decode, HMAC, constant-time compare.
function nodeVerify(hash, token) {
  const dot = token.lastIndexOf('.');
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const mac = createHmac(hash, secret).update(token.slice(0, dot)).digest();
  return given.length === mac.length && timingSafeEqual(mac, given);
}

const cases = [
  ['HS256', sign('HS256', claims)],
  ['HS384', sign('HS384', claims)],
  ['HS512', sign('HS512', claims)],
  ['HS256 8KiB', sign('HS256', big)],
];

const bench = new Bench({ time: Number(process.env.BENCH_MS ?? 1000), warmupTime: 200 });
let sink = 0;
for (const [name, token] of cases) {
  const alg = name.slice(0, 5);
  const sil = token.lastIndexOf('.');
  const keyring = new Keyring();
  const slot = keyring.addKey(ALG[alg], secret);
  if (keyring.verify(slot, token, sil) !== 1 || !nodeVerify(HASH[alg], token)) throw new Error(`${name}: setup token does not verify`);
  bench.add(`native ${name} (${token.length} B)`, () => {
    sink += keyring.verify(slot, token, sil);
  });
  bench.add(`node:crypto ${name}`, () => {
    sink += nodeVerify(HASH[alg], token) ? 1 : 0;
  });
  if (fallback) {
    const v = fallback.createHmacVerifier({ forceFallback: true });
    const s = v.addKey(/** @type {import('../../src/config/types.js').HmacAlgorithm} */ (alg), secret);
    bench.add(`fallback ${name}`, () => {
      sink += v.verify(s, token, sil) === 0 /* AuthStatus.ok */ ? 1 : 0;
    });
  }
}
await bench.run();

// Medians: the means are dragged by GC pauses and timer noise at sub-microsecond scale.
const rows = bench.tasks.map((t) => ({ name: t.name, ns: t.result.latency.p50 * 1e6, ops: t.result.throughput.p50 }));
console.table(
  rows.map((r) => ({ task: r.name, 'median ns/op': r.ns.toFixed(0), 'median ops/s': Math.round(r.ops).toLocaleString('en-US') })),
);
for (const [name] of cases) {
  const native = rows.find((r) => r.name.startsWith(`native ${name} (`));
  const node = rows.find((r) => r.name === `node:crypto ${name}`);
  console.log(`${name}: native is ${(node.ns / native.ns).toFixed(1)}x faster than node:crypto`);
}
if (sink === 0) console.log('');
