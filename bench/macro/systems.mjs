// Starts the systems under test (direct upstream, Portcullis on uWS / node HTTP/1.1 / node HTTP/2, fastify peer) and the backend upstream.
import fs from 'node:fs';
import path from 'node:path';
import { splitCommand } from './command.mjs';
import { freePort, sleep, startProcess, startServer, stopProcess } from './procs.mjs';
import { h2loadMissing, h2ShapeText } from './h2load.mjs';
import { startHaproxy } from './haproxy.mjs';
import { startNginx } from './nginx.mjs';

/** What nginx proxy_pass can do like the gateway: no JWT, so only the no-auth scenarios. */
const NGINX_PROXY_SCENARIOS = ['passthrough', 'resp-64k', 'upload-1m', 'no-route'];
/** The floors relay GETs only (floor-proxy.mjs). */
const FLOOR_SCENARIOS = ['passthrough', 'resp-64k'];
const FLOORS = [
  ['floor', 'undici', 'uWS + undici relay, no gateway (floor)'],
  ['floor-socket', 'socket', 'uWS + net.Socket relay, no gateway (floor)'],
];
/** A started peer process as a system: its URL, or why it is not available. */
const asSystem = (p) =>
  p.available ? { available: true, child: p.child, pid: p.pid, url: `http://127.0.0.1:${p.port}` } : { available: false, reason: p.reason };

const HERE = path.dirname(new URL(import.meta.url).pathname);
const REPO = path.resolve(HERE, '../..');
export const DEFAULT_GATEWAY_CMD = 'node dist/cli.js --config {config}';

/** Kong declarative config equivalent to what the peer does: /open without auth, /api with jwt (exp checked). */
export function gatewayConfig({ port, authorizerPort, upstreamPort, creds, h2Port, accessLog }) {
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  // With h2Port, a second listener serves the same routes over h2c (always the node engine).
  const listen = `127.0.0.1:${port}${h2Port ? `, 127.0.0.1:${h2Port} http2` : ''}`;
  return {
    _format_version: '3.0',
    gateway: {
      proxy_listen: listen,
      admin_listen: 'off',
      workers: 1,
      log_level: 'warn',
      // The three 10,000-token working sets (hs256-10k, rs256-10k, hs256-policy with its kept claims and claim headers)
      // count about 65 MiB against max_bytes together: with the default 32 MiB they evict each other and every row
      // re-verifies. 128 MiB holds them all, so each distinct-token row measures a warm cache, as it claims.
      token_cache: { max_bytes: 128 * 1024 * 1024 },
      ...(authorizerPort ? { authorizer_listen: `127.0.0.1:${authorizerPort}` } : {}),
      ...(accessLog ? { access_log: accessLog } : {}),
    },
    services: [
      { name: 'bench-open', url: upstream, routes: [{ name: 'open', paths: ['/open'] }] },
      {
        name: 'bench-api',
        url: upstream,
        routes: [{ name: 'api', paths: ['/api'] }],
        plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }],
      },
      {
        // The jwt policy extensions (tokens from POLICY_CLAIMS in scenarios.mjs).
        name: 'bench-policy',
        url: upstream,
        routes: [{ name: 'policy', paths: ['/policy'] }],
        plugins: [
          {
            name: 'jwt',
            config: {
              claims_to_verify: ['exp'],
              audiences: ['bench-api'],
              scopes_required: ['orders:read'],
              claims_to_headers: [
                { claim: 'sub', header: 'X-User-Id' },
                { claim: 'email', header: 'X-User-Email' },
                { claim: 'realm_access.roles', header: 'X-User-Roles' },
              ],
            },
          },
        ],
      },
    ],
    consumers: [
      { username: 'bench-hs', jwt_secrets: [{ key: creds.hs.key, secret: creds.hs.secret, algorithm: 'HS256' }] },
      { username: 'bench-rs', jwt_secrets: [{ key: creds.rs.key, algorithm: 'RS256', rsa_public_key: creds.rs.publicPem }] },
    ],
  };
}

/** GET url until it answers `status` or `timeoutMs` passes; false on timeout or once isDead() says the server exited. */
export async function waitForStatus(url, status, timeoutMs, isDead = () => false) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (isDead()) return false;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === status) return true;
    } catch {
      /* not up yet */
    }
    await sleep(100);
  }
  return false;
}

function logTail(file, lines = 8) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

export async function startGateway({ cmd, plan, creds, upstreamPort, workDir, accessLog, name = 'gateway', h2 = false }) {
  const argv0 = splitCommand(cmd);
  const script = argv0.find((a) => /\.(m?js|cjs)$/.test(a));
  if (script && !fs.existsSync(path.resolve(REPO, script))) {
    return { available: false, reason: `${script} not found (run npm run build:ts)` };
  }
  const port = await freePort();
  const h2Port = h2 ? await freePort() : undefined;
  // The authorizer answers HTTP/1 subrequests: h2 systems have none (their authorizer scenarios are n/a).
  const authorizerPort = h2 ? undefined : await freePort();
  const configPath = path.join(workDir, `${name}.json`);
  fs.writeFileSync(configPath, JSON.stringify(gatewayConfig({ port, authorizerPort, upstreamPort, creds, h2Port, accessLog }), null, 2));
  const logPath = path.join(workDir, `${name}.log`);
  const argv = argv0.map((a) => a.split('{config}').join(configPath));
  if (argv[0] === 'node') argv[0] = process.execPath;
  const child = startProcess({ name, argv, cpus: plan.sut, logPath, cwd: REPO });
  let dead = false;
  child.once('exit', () => {
    dead = true;
  });
  const up = await waitForStatus(`http://127.0.0.1:${port}/open/`, 200, 20_000, () => dead);
  if (!up) {
    await stopProcess(child);
    const tail = logTail(logPath)
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    return {
      available: false,
      reason: `did not serve /open/ within 20 s${dead ? ' (exited)' : ''}; log ${path.relative(REPO, logPath)}:\n${tail}`,
    };
  }
  return {
    available: true,
    child,
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    ...(h2 ? { h2url: `http://127.0.0.1:${h2Port}`, loader: 'h2load' } : { authorizerUrl: `http://127.0.0.1:${authorizerPort}` }),
  };
}

/** The bench's own upstream (uWS) or nginx in the upstream role, as { child, port }; throws when it does not start. */
export async function startBackend({ kind, name, cpus, workDir }) {
  if (kind === 'nginx') {
    const n = await startNginx({ name, role: 'upstream', cpus, workDir });
    if (!n.available) throw new Error(n.reason);
    return n;
  }
  return startServer({
    name,
    argv: [process.execPath, path.join(HERE, 'upstream.mjs')],
    cpus,
    env: { UWS_HTTP_MAX_HEADERS_SIZE: '16384' },
    logPath: path.join(workDir, `${name}.log`),
  });
}

/**
 * Start everything. Returns { systems: [{ id, label, available, reason?, url, pid }], stop() }.
 * The backend upstream (for gateway and peers) and the "direct" upstream (measured alone) are
 * two processes so that each can be pinned where its role needs it. `upstream` is 'uws' (the
 * bench's own upstream.mjs) or 'nginx' (Debian's nginx, for both).
 */
export async function startSystems({ plan, creds, workDir, gatewayCmd = DEFAULT_GATEWAY_CMD, only, upstream = 'uws', h2Shape }) {
  const node = process.execPath;
  const started = [];
  const want = (id) => !only || only.includes(id);

  const backend = await startBackend({ kind: upstream, name: 'upstream', cpus: plan.upstream, workDir });
  started.push(backend.child);
  const systems = [];

  if (want('direct')) {
    const direct = await startBackend({ kind: upstream, name: 'direct', cpus: plan.sut, workDir });
    started.push(direct.child);
    const label = upstream === 'nginx' ? 'direct upstream, nginx (limit)' : 'direct upstream (limit)';
    systems.push({
      id: 'direct',
      label,
      available: true,
      url: `http://127.0.0.1:${direct.port}`,
      pid: direct.child.pid,
      child: direct.child,
    });
  }

  // uWS answering by itself, on the gateway's CPU: the ceiling a refusal can approach (#16's "near uWS speed").
  if (want('hello')) {
    const hello = await startBackend({ kind: 'uws', name: 'hello', cpus: plan.sut, workDir });
    started.push(hello.child);
    systems.push({
      id: 'hello',
      label: 'uWS hello world (reference)',
      peer: true,
      scenarios: ['passthrough'],
      available: true,
      url: `http://127.0.0.1:${hello.port}`,
      pid: hello.child.pid,
      child: hello.child,
    });
  }

  // uWS relaying with nothing of a gateway between, on the gateway's CPU: the floor of its stack, through undici
  // (`floor`) and through the least a Node client can do (`floor-socket`; floor-proxy.mjs).
  for (const [id, client, label] of FLOORS) {
    if (!want(id)) continue;
    // The gateway workers' collector settings at their default (from dist/, like the floor's undici reads), so a
    // floor's tail compares with the gateway's.
    const { workerGcFlags } = await import('../../dist/supervisor/gc-settings.js');
    const { GATEWAY_DEFAULTS } = await import('../../dist/config/fields.js');
    const floor = await startServer({
      name: id,
      argv: [
        node,
        ...workerGcFlags(GATEWAY_DEFAULTS.gc_semi_space_mb),
        path.join(HERE, 'floor-proxy.mjs'),
        `http://127.0.0.1:${backend.port}`,
        client,
      ],
      cpus: plan.sut,
      logPath: path.join(workDir, `${id}.log`),
    });
    started.push(floor.child);
    systems.push({
      id,
      label,
      peer: true,
      scenarios: FLOOR_SCENARIOS,
      available: true,
      url: `http://127.0.0.1:${floor.port}`,
      pid: floor.child.pid,
      child: floor.child,
    });
  }

  /** One Portcullis process as a system: `gateway` says how it differs (command, name, h2, access log). */
  const addGateway = async (system, gateway = {}) => {
    const gw = await startGateway({ cmd: gatewayCmd, plan, creds, upstreamPort: backend.port, workDir, ...gateway });
    if (gw.child) started.push(gw.child);
    systems.push({ ...system, ...gw });
  };
  const nodeEngine = `${gatewayCmd} --http-engine node`;

  if (want('portcullis')) await addGateway({ id: 'portcullis', label: 'Portcullis (1 worker)' });
  if (want('portcullis-node')) {
    await addGateway({ id: 'portcullis-node', label: 'Portcullis node engine, HTTP/1.1' }, { cmd: nodeEngine, name: 'gateway-node' });
  }

  if (want('portcullis-h2')) {
    const missing = h2loadMissing();
    const label = `Portcullis node engine, HTTP/2 h2c (h2load${h2Shape ? `, ${h2ShapeText(h2Shape)}` : ''})`;
    if (missing) systems.push({ id: 'portcullis-h2', label, available: false, reason: missing });
    // Preflight checks go to the HTTP/1.1 listener of the same process; the load goes to its h2c listener.
    else await addGateway({ id: 'portcullis-h2', label }, { cmd: nodeEngine, name: 'gateway-h2', h2: true });
  }

  // The same gateway with gateway.access_log to a file: the access log's cost is passthrough here vs above.
  let accessLogPath = null;
  if (want('portcullis-log')) {
    accessLogPath = path.join(workDir, 'access.log');
    await addGateway(
      { id: 'portcullis-log', label: 'Portcullis + access log', scenarios: ['passthrough'] },
      { accessLog: accessLogPath, name: 'gateway-access-log' },
    );
  }

  if (want('peer')) {
    try {
      const peerCfg = {
        upstream: `http://127.0.0.1:${backend.port}`,
        hsKey: creds.hs.key,
        hsSecret: creds.hs.secret,
        rsKey: creds.rs.key,
        rsPublicPem: creds.rs.publicPem,
      };
      const peer = await startServer({
        name: 'peer',
        argv: [node, path.join(HERE, 'peer.mjs'), JSON.stringify(peerCfg)],
        cpus: plan.sut,
        logPath: path.join(workDir, 'peer.log'),
      });
      started.push(peer.child);
      systems.push({
        id: 'peer',
        label: 'fastify + http-proxy + jwt',
        peer: true,
        available: true,
        url: `http://127.0.0.1:${peer.port}`,
        pid: peer.child.pid,
        child: peer.child,
      });
    } catch (err) {
      systems.push({ id: 'peer', label: 'fastify + http-proxy + jwt', available: false, reason: err.message });
    }
  }

  // The strongest peers: HAProxy's jwt_verify (every route and refusal), nginx proxy_pass (no JWT: no-auth rows only).
  if (want('haproxy')) {
    const hp = await startHaproxy({ cpus: plan.sut, workDir, backendPort: backend.port, creds });
    if (hp.child) started.push(hp.child);
    systems.push({ id: 'haproxy', label: 'HAProxy 2.6 jwt_verify', peer: true, ...asSystem(hp) });
  }
  if (want('nginx-proxy')) {
    const ng = await startNginx({ name: 'nginx-proxy', role: 'proxy', cpus: plan.sut, workDir, backendPort: backend.port });
    if (ng.child) started.push(ng.child);
    systems.push({ id: 'nginx-proxy', label: 'nginx proxy_pass', peer: true, scenarios: NGINX_PROXY_SCENARIOS, ...asSystem(ng) });
  }

  // The proxies' backend reached without a proxy: the latency rows' baseline (it never runs throughput cells).
  const upstreamSystem = {
    id: 'upstream',
    label: `the proxies' upstream${upstream === 'nginx' ? ', nginx' : ''}, no proxy`,
    available: true,
    url: `http://127.0.0.1:${backend.port}`,
    pid: backend.child.pid,
    child: backend.child,
  };
  return {
    systems,
    upstream: upstreamSystem,
    async stop() {
      await Promise.all(started.map((c) => stopProcess(c)));
      // A timed run writes hundreds of MB of lines; only their cost matters.
      if (accessLogPath) fs.rmSync(accessLogPath, { force: true });
    },
  };
}
