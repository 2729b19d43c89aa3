// Micro bench: asymmetric verification inline (sync) vs libuv (callback crypto.verify) vs the piscina pool, at 1/16/256 in flight (needs `npm run build:ts`).
//
// Usage: node bench/micro/verify-pool.bench.mjs [--ms 1000] [--json out.json]
// Each cell keeps C verifications in flight for --ms, then reports verifications per second, the event loop's
// utilization (ELU: the share of wall time the loop was busy running JS, i.e. blocked for other requests) and the
// p99 / max delay of the loop measured with monitorEventLoopDelay (what any other request on this loop would wait).
import { generateKeyPairSync, sign, constants } from 'node:crypto';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { AuthStatus } from '../../dist/auth/auth-status.js';
import { verifyAsymmetric } from '../../dist/crypto/asymmetric.js';
import { createLibuvVerifier } from '../../dist/crypto/verify-libuv.js';
import { createVerifyPool } from '../../dist/crypto/verify-pool.js';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const MS = Number(arg('--ms', '1000'));
const JSON_OUT = arg('--json', null);
const CONCURRENCY = [1, 16, 256];

const INPUT = `${Buffer.from('{"alg":"RS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: 'https://idp.example', sub: 'user-1', exp: 2e9, scope: 'read write' })).toString('base64url')}`;

function fixture(label, alg, gen) {
  const { publicKey, privateKey } = gen();
  let sig;
  if (alg.startsWith('RS')) sig = sign('sha256', Buffer.from(INPUT), { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
  else if (alg.startsWith('ES')) sig = sign('sha256', Buffer.from(INPUT), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  else sig = sign(null, Buffer.from(INPUT), privateKey);
  return { label, alg, key: publicKey, sig };
}
const FIXTURES = [
  fixture('RSA-2048 RS256', 'RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })),
  fixture('RSA-4096 RS256', 'RS256', () => generateKeyPairSync('rsa', { modulusLength: 4096 })),
  fixture('ES256', 'ES256', () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' })),
  fixture('Ed25519', 'EdDSA', () => generateKeyPairSync('ed25519')),
];

const immediate = () => new Promise((r) => setImmediate(r));

/** Closed loop: C in flight; inline runs each "arrival turn" of C verifications synchronously, then yields. */
async function runCell(mode, verify, fx, c) {
  const h = monitorEventLoopDelay({ resolution: 1 });
  // Warm-up (keys reach pool threads, JIT).
  for (let i = 0; i < 50; i++) await verify(fx.alg, fx.key, INPUT, fx.sig);
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  const start = performance.now();
  const deadline = start + MS;
  let done = 0;
  let failed = 0;
  if (mode === 'inline') {
    while (performance.now() < deadline) {
      for (let i = 0; i < c; i++) {
        if (verify(fx.alg, fx.key, INPUT, fx.sig) === AuthStatus.ok) done++;
        else failed++;
      }
      await immediate();
    }
  } else {
    await new Promise((resolve) => {
      let inFlight = 0;
      const launch = () => {
        while (inFlight < c && performance.now() < deadline) {
          inFlight++;
          Promise.resolve(verify(fx.alg, fx.key, INPUT, fx.sig)).then((status) => {
            inFlight--;
            if (status === AuthStatus.ok) done++;
            else failed++;
            if (performance.now() < deadline) launch();
            else if (inFlight === 0) resolve();
          });
        }
        if (inFlight === 0) resolve();
      };
      launch();
    });
  }
  const wall = performance.now() - start;
  const elu = performance.eventLoopUtilization(elu0);
  h.disable();
  if (failed > 0) throw new Error(`${mode} ${fx.label}: ${failed} verifications failed`);
  return {
    mode,
    key: fx.label,
    concurrency: c,
    perSecond: Math.round((done / wall) * 1000),
    elu: Number(elu.utilization.toFixed(3)),
    loopP99Ms: Number((h.percentile(99) / 1e6).toFixed(2)),
    loopMaxMs: Number((h.max / 1e6).toFixed(2)),
  };
}

async function main() {
  const cores = availableParallelism();
  const libuv = createLibuvVerifier({ maxPending: 1 << 20 });
  const pools = [1, Math.max(2, cores)].map((threads) => ({ threads, pool: createVerifyPool({ threads, maxPending: 1 << 20 }) }));
  /** @type {Array<[string, (...args: any[]) => any]>} */
  const modes = [
    ['inline', verifyAsymmetric],
    [`libuv (UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? 4})`, libuv.verify],
    ...pools.map(
      ({ threads, pool }) =>
        /** @type {[string, (...args: any[]) => any]} */ ([`pool ${threads} thread${threads > 1 ? 's' : ''}`, pool.verify]),
    ),
  ];
  const rows = [];
  for (const fx of FIXTURES) {
    for (const c of CONCURRENCY) {
      for (const [mode, verify] of modes) {
        const row = await runCell(mode.startsWith('inline') ? 'inline' : mode, verify, fx, c);
        row.mode = mode;
        rows.push(row);
        process.stderr.write(
          `${fx.label.padEnd(15)} c=${String(c).padEnd(4)} ${mode.padEnd(28)} ${String(row.perSecond).padStart(7)}/s  ELU ${row.elu}  loop p99 ${row.loopP99Ms} ms  max ${row.loopMaxMs} ms\n`,
        );
      }
    }
  }
  for (const { pool } of pools) await pool.close();
  console.log(`\nNode ${process.version}, ${cores} cores, ${MS} ms per cell\n`);
  console.log('| key | in flight | mode | verifications/s | loop busy (ELU) | loop delay p99 | loop delay max |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.key} | ${r.concurrency} | ${r.mode} | ${r.perSecond} | ${r.elu} | ${r.loopP99Ms} ms | ${r.loopMaxMs} ms |`);
  }
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ node: process.version, cores, ms: MS, rows }, null, 2));
}

await main();
