// Micro bench of the addon's one-call check on a bad signature: 10,000 distinct refused HS256 tokens through checkToken (needs `npm run build`).
// `--against DIR`: the same with DIR's built verifier and addon (a checkout with dist/ and build/ built), the two in turns in one process.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildsToMeasure, compareRounds } from './against.mjs';
import { hs256, loginClaims, NOW } from './jwt-fixture.mjs';

const TOKENS = 10_000;
const ROUNDS = 21;
// An identity provider's issuer URL as the key claim (FusionAuth's `iss`), longer than a C++ short string.
const KEY = 'https://auth.example.com/tenants/acme';
const SECRET = Buffer.from('alice-secret');

// The bench's bad-signature shape: a well-formed token whose last signature character is changed.
const tokens = Array.from({ length: TOKENS }, (_, i) => {
  const token = hs256({ ...loginClaims(), iss: KEY, sub: `user-${i}`, exp: NOW + 3600 + i }, 'wrong-secret');
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
});

/** A verifier of `dir`'s build with the credential indexed, and its key claim's id. */
async function checker(dir) {
  const { createHmacVerifier } = await import(pathToFileURL(path.join(dir, 'dist/crypto/hmac.js')).href);
  const { TOKEN_CHECK } = await import(pathToFileURL(path.join(dir, 'dist/native/addon.js')).href);
  const verifier = createHmacVerifier();
  if (verifier.engine !== 'native') {
    // node:crypto has no one-call check: nothing to measure without the addon.
    console.log(`skipped: the native addon of ${dir} did not load (npm run build)`);
    process.exit(0);
  }
  const slot = verifier.addKey('HS256', SECRET);
  verifier.indexCredential(KEY, 'HS256', slot, -1); // -1: no base64 form of the secret (never asked for here)
  return { verifier, claimNameId: verifier.claimNameId('iss'), mismatch: TOKEN_CHECK.MISMATCH };
}

/** CPU ns per checkToken call, one round over every token. */
function round({ verifier, claimNameId, mismatch }) {
  let mismatches = 0;
  const start = process.cpuUsage();
  for (const token of tokens) if (verifier.checkToken(token, 'HS256', claimNameId, false) === mismatch) mismatches++;
  const used = process.cpuUsage(start);
  if (mismatches !== TOKENS) throw new Error(`${mismatches} of ${TOKENS} tokens read as a mismatch`);
  return ((used.user + used.system) * 1000) / TOKENS;
}

const builds = buildsToMeasure();
const checkers = await Promise.all(builds.map(([, dir]) => checker(dir)));

compareRounds({ builds, subjects: checkers, round, rounds: ROUNDS, label: `ns per check (${TOKENS} tokens a round)` });
