// `npm run soak`: the gateway as a user runs it, under mixed clients and a faulty upstream; prints each invariant, exits 1 on a violation.
// Flags: --quick (60 s, small token cache), --duration SECONDS (default 600), --concurrency N mixed clients (default 12),
// --fillers N clients sending fresh tokens only, to fill the token caches (default 4),
// --loop-p99-ms / --loop-max-ms: event-loop delay bounds (defaults 500 / 2000: loose enough for a shared, overloaded
// machine, where a worker waits for a core as long as other processes run; tighten them on a quiet one).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTally, fillCache, KEY, MAX_BODY_BYTES, pickScenario, SECRET } from './clients.mjs';
import { startFaultyUpstream } from './upstream.mjs';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    concurrency: { type: 'string', default: '12' },
    fillers: { type: 'string', default: '4' },
    'loop-p99-ms': { type: 'string', default: '500' },
    'loop-max-ms': { type: 'string', default: '2000' },
  },
});
const durationS = Number(args.duration ?? (args.quick ? 60 : 600));
const concurrency = Number(args.concurrency);
const fillers = Number(args.fillers);
const SAMPLE_MS = 5000;
const LOOP_DELAY_P99_MAX_MS = Number(args['loop-p99-ms']);
const LOOP_DELAY_MAX_MS = Number(args['loop-max-ms']);
const MiB = 1024 * 1024;

const freePort = () =>
  new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (s.address());
      s.close(() => resolve(port));
    });
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function procStats(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  return { rss, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

function getText(port, p) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      })
      .on('error', reject);
  });
}

function metric(text, name) {
  const m = new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\d+)`, 'm').exec(text);
  return m === null ? 0 : Number(m[1]);
}

const upstream = await startFaultyUpstream();
const proxyPort = await freePort();
const adminPort = await freePort();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-soak-'));
const configPath = path.join(dir, 'soak.json');
fs.writeFileSync(
  configPath,
  JSON.stringify({
    _format_version: '3.0',
    gateway: {
      proxy_listen: `127.0.0.1:${proxyPort}`,
      admin_listen: `127.0.0.1:${adminPort}`,
      workers: 2,
      log_level: 'warn',
      max_body_bytes: MAX_BODY_BYTES,
      // --quick cannot fill the default caches in 60 s: a small one shows the plateau instead.
      ...(args.quick ? { token_cache: { max_bytes: 2 * MiB } } : {}),
    },
    services: [
      {
        name: 'soak',
        url: `http://127.0.0.1:${upstream.port}`,
        routes: [{ name: 'api', paths: ['/api'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] }],
      },
    ],
    // No service: the token is verified and cached, then answered 503 without an upstream, so fillers are cheap.
    routes: [{ name: 'fill', paths: ['/fill'], plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }] }],
    consumers: [{ username: 'soak', jwt_secrets: [{ key: KEY, secret: SECRET }] }],
  }),
);
const logPath = path.join(dir, 'gateway.log');
const log = fs.openSync(logPath, 'w');
const gateway = spawn(process.execPath, [path.join(REPO, 'dist/cli.js'), 'start', '--config', configPath], { stdio: ['ignore', log, log] });
/** @type {{ code: number | null, signal: NodeJS.Signals | null } | null} */
let gatewayExit = null;
gateway.on('exit', (code, signal) => (gatewayExit = { code, signal }));

for (let i = 0; ; i++) {
  try {
    if ((await getText(adminPort, '/status')).status === 200 && (await getText(proxyPort, '/nowhere')).status === 404) break;
  } catch {
    /* not up yet */
  }
  if (i > 100 || gatewayExit !== null) {
    console.error(`gateway did not start:\n${fs.readFileSync(logPath, 'utf8')}`);
    process.exit(1);
  }
  await sleep(100);
}

const baseline = procStats(gateway.pid);
const samples = [];
let loopP99Max = 0;
let loopMax = 0;
let cacheEntries = 0;
async function sample() {
  const s = procStats(gateway.pid);
  const m = (await getText(adminPort, '/metrics')).body;
  loopP99Max = Math.max(loopP99Max, metric(m, 'portcullis_event_loop_delay_microseconds{quantile="0.99"}') / 1000);
  loopMax = Math.max(loopMax, metric(m, 'portcullis_event_loop_delay_microseconds{quantile="1"}') / 1000);
  cacheEntries = metric(m, 'portcullis_token_cache_entries');
  samples.push({ t: Math.round((Date.now() - started) / 1000), rssMiB: s.rss / MiB, fds: s.fds, cacheEntries });
}

console.log(
  `soak: ${durationS} s, ${concurrency} mixed clients + ${fillers} cache fillers, gateway pid ${gateway.pid} (2 workers), baseline RSS ${(baseline.rss / MiB).toFixed(0)} MiB, ${baseline.fds} fds`,
);
const tally = createTally();
const started = Date.now();
const deadline = started + durationS * 1000;
const sampler = setInterval(() => void sample().catch(() => undefined), SAMPLE_MS);
const agents = [];
await Promise.all(
  Array.from({ length: concurrency + fillers }, async (_, i) => {
    // A keep-alive agent per client: its connection is reused for as long as the server's hint allows.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    while (Date.now() < deadline && gatewayExit === null) await (i < concurrency ? pickScenario() : fillCache)(agent, proxyPort, tally);
  }),
);
clearInterval(sampler);
await sample();
for (const a of agents) a.destroy();
// Idle: client connections are gone, upstream keep-alive connections expire (2 s hint), lingering closes end.
await sleep(8000);
const after = procStats(gateway.pid);
gateway.kill('SIGTERM');
await new Promise((r) => (gatewayExit !== null ? r() : gateway.once('exit', r)));
await upstream.close();

// ---- invariants ----
const rss = samples.map((s) => s.rssMiB);
const q = Math.max(1, Math.floor(rss.length / 4));
const thirdQuarterPeak = Math.max(...rss.slice(Math.max(0, rss.length - 2 * q), rss.length - q));
const lastQuarterPeak = Math.max(...rss.slice(rss.length - q));
const rssPlateau = lastQuarterPeak <= thirdQuarterPeak * 1.1 + 16;
const fdsBack = after.fds <= baseline.fds + 2;
const t = tally;
const checks = [
  [
    'every refused request answered with its exact body',
    t.refused.lost === 0 && t.refused.wrong === 0,
    `${t.refused.sent} refused: ${t.refused.exact} exact, ${t.refused.wrong} wrong, ${t.refused.lost} lost`,
  ],
  [
    'no reset or hang-up on any connection (reused or fresh)',
    t.resets.reused === 0 && t.resets.fresh === 0,
    `${t.requests} requests, ${t.reused} on reused connections; errors: ${t.resets.reused} reused, ${t.resets.fresh} fresh`,
  ],
  ['response bytes intact (sha256)', t.downloads.bad === 0, `${t.downloads.ok} ok, ${t.downloads.bad} corrupt`],
  ['upload bytes intact (sha256 at the upstream)', t.uploads.bad === 0, `${t.uploads.ok} ok, ${t.uploads.bad} corrupt`],
  [
    'nothing refused reaches the upstream',
    upstream.stats.refusedSeen === 0,
    `${upstream.stats.refusedSeen} of ${upstream.stats.requests} upstream requests were refused ones`,
  ],
  [
    'faults answered as specified (502 body, 500 passthrough, cut bodies seen as cut)',
    t.wrongStatus === 0,
    `502 ${t.expected.badGateway}, 500 ${t.expected.passthrough500}, cut ${t.expected.cutMidBody}, slow ${t.expected.slow}, ` +
      `HEAD ${t.expected.head}, slow readers ${t.expected.slowReaders}; ${t.wrongStatus} unexpected`,
  ],
  [
    'RSS plateaus',
    rssPlateau,
    `start ${rss[0]?.toFixed(0)} MiB, peak ${Math.max(...rss).toFixed(0)} MiB, end ${rss.at(-1)?.toFixed(0)} MiB; ` +
      `peak of last quarter ${lastQuarterPeak.toFixed(0)} vs third ${thirdQuarterPeak.toFixed(0)} MiB; cache entries ${cacheEntries} (${t.filled} filler requests)`,
  ],
  [
    'open fds return to baseline after load',
    fdsBack,
    `baseline ${baseline.fds}, peak ${Math.max(...samples.map((s) => s.fds))}, after ${after.fds}`,
  ],
  [
    'event-loop delay bounded',
    loopP99Max <= LOOP_DELAY_P99_MAX_MS && loopMax <= LOOP_DELAY_MAX_MS,
    `worst p99 ${loopP99Max.toFixed(1)} ms (bound ${LOOP_DELAY_P99_MAX_MS}), max ${loopMax.toFixed(1)} ms (bound ${LOOP_DELAY_MAX_MS})`,
  ],
  ['gateway exited cleanly on SIGTERM', gatewayExit?.code === 0, `exit ${JSON.stringify(gatewayExit)}`],
];
let failed = 0;
console.log(
  `machine load average (1/5/15 min): ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.availableParallelism()} cores`,
);
for (const [name, ok, detail] of checks) {
  if (!ok) failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
}
console.log(`RSS curve (MiB, every ${SAMPLE_MS / 1000} s): ${rss.map((r) => r.toFixed(0)).join(' ')}`);
if (t.samples.length > 0) console.log(`first anomalies:\n  ${t.samples.join('\n  ')}`);
if (failed > 0) console.log(`gateway log: ${logPath}`);
else fs.rmSync(dir, { recursive: true, force: true });
process.exit(failed > 0 ? 1 : 0);
