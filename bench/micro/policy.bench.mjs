// Micro bench of the per-request work auth adds (cache hit, policy, upstream headers) and of an access-log line (needs `npm run build:ts`).
// `--against DIR` instead: the policy row's request from this checkout and DIR's built one, paired (see the end).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Bench } from 'tinybench';
import { createAccessLog, noteAccessAuth, noteAccessRoute } from '../../dist/observability/access-log.js';
import { gatewayConfig } from '../macro/systems.mjs';
import { POLICY_CLAIMS } from '../macro/scenarios.mjs';
import { createCredentials, makeTokens } from '../macro/tokens.mjs';

// undici's request constructor validates and copies every header: the part of its cost the auth headers add.
const UndiciRequest = createRequire(import.meta.url)('undici/lib/core/request.js');
const UndiciConstants = createRequire(import.meta.url)('undici/lib/core/constants.js');
const THIS_CHECKOUT = path.resolve(import.meta.dirname, '../..');
const noop = () => {};
const handler = { onConnect: noop, onHeaders: noop, onData: noop, onComplete: noop, onError: noop, onUpgrade: noop };

const creds = createCredentials();
const doc = gatewayConfig({ port: 8000, upstreamPort: 9000, creds });
/** @type {import('../../dist/proxy/forwarded-headers.js').ForwardContext} */
const ctx = { listenPort: '8000', proto: 'http', via: '1.1 portcullis/0.0.0' };

const one = makeTokens({ alg: 'HS256', creds, count: 1 });
const many = makeTokens({ alg: 'HS256', creds, count: 10000, tag: 'hsp', claims: POLICY_CLAIMS });

// Header names arrive as fresh strings too (the engines copy them out of the request), never as interned literals.
const HOST = Buffer.from('host');
const AUTHORIZATION = Buffer.from('authorization');

/**
 * The gateway-side request work of the built checkout at `root` (its dist/): the bench config compiled by it, its
 * authenticator and route table, and `serve`, one request's work on the auth path. `--against` loads two of these.
 */
async function loadGateway(root) {
  const m = (file) => import(path.join(root, 'dist', file));
  const [{ validateConfigDocument }, { compileConfig }, { createAuthenticator }, policyMod, namesMod, routeMod, snapMod, fwdMod] =
    await Promise.all(
      [
        'config/load.js',
        'config/compile.js',
        'auth/authenticator.js',
        'auth/policy-headers.js',
        'proxy/known-header-names.js',
        'routing/route-table.js',
        'server/request-snapshot.js',
        'proxy/forwarded-headers.js',
      ].map(m),
    );
  const validated = /** @type {any} */ (validateConfigDocument(doc));
  if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
  const config = compileConfig(validated.config, 1);
  const auth = createAuthenticator(config);
  const routes = routeMod.createRouteTable(config.routes);
  // As the data plane does per generation: undici knows the gateway's own header names.
  const gatewayNames = [...fwdMod.FORWARDED_HEADER_NAMES, ...policyMod.identityHeaderNames(config)];
  namesMod.registerHeaderNames(gatewayNames);

  /** What autocannon sends, as the front end records it; fresh header strings per request, as copied out of uWS. */
  function snapshot(url, token) {
    const s = new snapMod.RequestSnapshot(8000);
    s.method = 'GET';
    s.url = url;
    s.remoteAddress = '127.0.0.1';
    snapMod.recordHeader(s, HOST.toString('latin1'), '127.0.0.1:8000');
    if (token !== undefined) snapMod.recordHeader(s, AUTHORIZATION.toString('latin1'), `Bearer ${token}`.slice(0));
    return s;
  }

  /** One request's gateway-side work on the auth path: route, jwt stage, upstream header list, undici's header checks. */
  function serve(url, token) {
    const s = snapshot(url, token);
    s.path = url;
    const match = routes.match(s);
    const jwt = match.route.jwt;
    const decision = jwt === null ? null : /** @type {any} */ (auth.authenticate(jwt, s));
    if (decision !== null && decision.kind !== 'allow') throw new Error(`refused: ${decision.body}`);
    // As the data plane does: the route policy's identity of the allow, and the policy's client-header rules.
    const policy = match.route.jwt?.policy?.upstream ?? null;
    const identity = decision === null ? null : policyMod.identityFor(decision, policy);
    const headers = fwdMod.buildUpstreamHeaders(s, match, 'req-id-0000', identity, policy, ctx);
    return new UndiciRequest('http://127.0.0.1:9000', { path: match.upstreamPath, method: 'GET', headers }, handler);
  }

  return { auth, routes, gatewayNames, snapshot, serve };
}

// Paired A/B of two builds (--against DIR, a checkout with dist/ built): each build's own config, jwt stage and header
// builder in one process, each policy token once to fill both caches, then rounds of 10,000 policy requests in a new
// random order (every hit's token, entry and headers come from memory, as with 10,000 clients), the builds in turns.
const against = process.argv.indexOf('--against');
if (against !== -1) {
  const dir = path.resolve(process.argv[against + 1] ?? '.');
  const [that, self] = [await loadGateway(dir), await loadGateway(THIS_CHECKOUT)];
  const sides = { A: (token) => that.serve('/policy/', token), B: (token) => self.serve('/policy/', token) };
  for (const t of many) for (const f of Object.values(sides)) f(t);
  const order = many.map((_, k) => k);
  const times = { A: [], B: [] };
  for (let round = 0; round < 40; round++) {
    for (let k = order.length - 1; k > 0; k--) {
      const j = Math.floor(Math.random() * (k + 1));
      [order[k], order[j]] = [order[j], order[k]];
    }
    for (const side of round % 2 === 0 ? ['A', 'B'] : ['B', 'A']) {
      const t0 = process.hrtime.bigint();
      for (const k of order) sides[side](many[k]);
      times[side].push(Number(process.hrtime.bigint() - t0) / order.length);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const ratio = median(times.B.map((b, k) => b / times.A[k]));
  console.log(
    `policy request, 10,000 tokens in random order: ${dir} ${Math.round(median(times.A))} ns, this checkout ${Math.round(median(times.B))} ns; paired median this ÷ that ${ratio.toFixed(3)} (40 rounds)`,
  );
  process.exit(0);
}

const { auth, routes, gatewayNames, snapshot, serve } = await loadGateway(THIS_CHECKOUT);

// Fill the cache: every later call is a hit.
serve('/api/', one[0]);
for (const t of many) serve('/policy/', t);

const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-bench-')), 'access.log');
const log = createAccessLog(logFile, { workerId: 1 });
const logRoute = routes.match({ ...snapshot('/api/'), path: '/api/', header: () => undefined }).route;
const logAllow = /** @type {any} */ (auth.authenticate(logRoute.jwt, snapshot('/api/', one[0])));
const response = { requestId: 'c2f6b1a0-8d3e-4b7a-9f21-5e6d7c8b9a01', status: 200, access: null };

let i = 0;
const bench = new Bench({ time: 1500, warmupTime: 300 });
bench
  .add('passthrough: route + upstream headers', () => {
    serve('/open/', undefined);
  })
  .add('HS256 one token: + cache hit + identity headers', () => {
    serve('/api/', one[0]);
  })
  .add('HS256 policy, 10k tokens: + aud, scopes, 3 claim headers', () => {
    serve('/policy/', many[i++ % many.length]);
  })
  .add('access log: record + one line', () => {
    const r = log.record('GET', '/api/orders');
    noteAccessRoute(r, logRoute);
    noteAccessAuth(r, logAllow);
    r.upstreamStartAt = r.startedAt + 0.01;
    r.upstreamHeadersAt = r.startedAt + 0.9;
    r.upstreamStatus = 200;
    r.bytesOut = 12;
    response.access = r;
    log.write(response, 0);
  });

await bench.run();
await log.close();
fs.rmSync(path.dirname(logFile), { recursive: true, force: true });
const rows = bench.tasks.map((t) => ({
  task: t.name,
  'ns/op (mean)': Math.round(t.result.latency.mean * 1e6),
  'ns/op (p50)': Math.round(t.result.latency.p50 * 1e6),
}));
console.table(rows);
const base = rows[0]['ns/op (p50)'];
console.log(
  `auth tax (p50): HS256 one token +${rows[1]['ns/op (p50)'] - base} ns, policy +${rows[2]['ns/op (p50)'] - base} ns; access-log line ${rows[3]['ns/op (p50)']} ns`,
);

// Paired A/B of that registration (--known-names): the same requests with the names in and out of undici's table, in turns.
if (process.argv.includes('--known-names')) {
  const known = UndiciConstants.headerNameLowerCasedRecord;
  const setKnown = (on) => {
    for (const n of gatewayNames) {
      if (on) known[n] = n.toLowerCase();
      else delete known[n];
    }
  };
  const cases = {
    passthrough: () => serve('/open/', undefined),
    'HS256 one': () => serve('/api/', one[0]),
    policy: () => serve('/policy/', many[i++ % many.length]),
  };
  const runs = {};
  for (let round = 0; round < 15; round++) {
    for (const on of round % 2 === 0 ? [false, true] : [true, false]) {
      setKnown(on);
      for (const [name, f] of Object.entries(cases)) {
        const t0 = process.hrtime.bigint();
        for (let j = 0; j < 20000; j++) f();
        (runs[`${name}${on ? ' (known)' : ''}`] ??= []).push(Number(process.hrtime.bigint() - t0) / 20000);
      }
    }
  }
  setKnown(true);
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  console.table(Object.entries(runs).map(([task, a]) => ({ task, 'ns/op (median of 15 × 20,000, GC included)': Math.round(median(a)) })));
}
