// Micro bench of a token's first verification's decoding: the request path's decoder on 10,000 distinct login tokens, key claim scanned, then the claims read (needs `npm run build:ts`).
// `--against DIR`: the same with DIR's built decoder (a checkout with dist/ built), the two in turns in one process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildsToMeasure, compareRounds } from './against.mjs';
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

const builds = buildsToMeasure();
const decoders = await Promise.all(
  builds.map(async ([, dir]) => (await import(pathToFileURL(path.join(dir, 'dist/auth/token-decoder.js')).href)).createTokenDecoder()),
);

compareRounds({ builds, subjects: decoders, round, rounds: ROUNDS, label: `ns per token (${TOKENS} tokens a round)` });
