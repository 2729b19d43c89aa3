// Micro bench of a token's first verification's decoding: the request path's decoder on 10,000 distinct login tokens, key claim scanned, then the claims read (needs `npm run build:ts`).
// `--against DIR`: the same with DIR's built decoder (a checkout with dist/ built), the two in turns in one process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { hs256, loginClaims, NOW } from './jwt-fixture.mjs';

const TOKENS = 10_000;
const ROUNDS = 21;

const tokens = Array.from({ length: TOKENS }, (_, i) => hs256({ ...loginClaims(), sub: `user-${i}`, exp: NOW + 3600 + i }, 'alice-secret'));

/** CPU ns per token of decode + key claim + claims, one round over every token. */
function round(decoder) {
  let sink = 0;
  const start = process.cpuUsage();
  for (const token of tokens) {
    const decoded = decoder.decode(token, 'iss');
    if (typeof decoded === 'number') throw new Error(`token refused (${decoded})`);
    sink += decoded.claim('iss').length + (decoded.claims.exp & 1);
  }
  const used = process.cpuUsage(start);
  if (sink === 0) throw new Error('unreachable');
  return ((used.user + used.system) * 1000) / TOKENS;
}

const builds = [['this checkout', path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..')]];
const against = process.argv.indexOf('--against');
if (against !== -1) builds.unshift(['--against', path.resolve(process.argv[against + 1] ?? '.')]);
const decoders = await Promise.all(
  builds.map(async ([, dir]) => (await import(pathToFileURL(path.join(dir, 'dist/auth/token-decoder.js')).href)).createTokenDecoder()),
);

const runs = builds.map(() => []);
for (let r = 0; r < ROUNDS; r++) {
  // Alternate the order so neither build always runs on the caches the other left.
  const order = r % 2 === 0 ? decoders.map((_, i) => i) : decoders.map((_, i) => i).reverse();
  for (const i of order) runs[i].push(round(decoders[i]));
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.table(
  builds.map(([name, dir], i) => ({
    build: `${name} (${path.relative(process.cwd(), dir) || '.'})`,
    [`ns per token (median of ${ROUNDS - 1} × ${TOKENS}, after a warm-up round)`]: Math.round(median(runs[i].slice(1))),
  })),
);
