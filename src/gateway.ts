// Starts and stops one gateway: config → worker threads (data planes) → admin listener + Admin API; reload and status.
import { createHash, randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type pino from 'pino';
import { hostname } from 'node:os';
import type { ConfigError, GatewaySettings, ValidatedConfig } from './config/types.js';
import { exposedAdminHost, resolveConfig, type SettingsOverrides } from './config/resolve.js';
import { retainFreedHeap } from './native/addon.js';
import { applyGcSettings } from './supervisor/gc-settings.js';
import { createLogger } from './observability/logger.js';
import { renderMetrics } from './observability/metrics.js';
import { createAdminServer, type AdminServer } from './admin/admin-server.js';
import { createAdminGuard, guardPolicy } from './admin/admin-guard.js';
import { createAdminAudit } from './admin/admin-audit.js';
import type { TokenResolution } from './admin/admin-token.js';
import { createAdminStore, loadDocumentFile, type AdminStore } from './admin/admin-store.js';
import { packageVersion } from './supervisor/package-version.js';
import { ConfigInvalidError } from './portcullis-error.js';
import { buildStatus } from './admin/status.js';
import { createWorkerPool, type WorkerPool } from './supervisor/worker-pool.js';
import { listenerAddress } from './config/listen-spec.js';
import { drainDelay, readinessOf, startReplica, type Replica } from './supervisor/replica.js';
import { createMemoryWriter, createReadOnlyApi } from './admin/read-only.js';

/** The command line's overrides (`--workers`, `--log-level`, `--http-engine`, `--watch`), applied by config/resolve.ts. */
export type GatewayOverrides = SettingsOverrides;

export interface GatewayOptions {
  configPath: string;
  overrides?: GatewayOverrides;
  /** The environment the resolve step reads (PORTCULLIS_ADMIN_TOKEN[_FILE], ...); default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** Main-thread logger; worker logs are relayed into it. Default: pino JSON to stdout. */
  logger?: pino.Logger;
  /** For tests only. */
  testing?: {
    /** Extra execArgv for worker threads (e.g. a TypeScript loader when running from src/). */
    workerExecArgv?: string[];
    /**
     * Receives a function that makes worker `id` throw an uncaught exception (the supervisor's restart path). Only a
     * test that passes this gets it: the production handle has no such method, and workers ignore the message
     * unless it is set.
     */
    onCrashHook?: (crashWorker: (id: number) => void) => void;
    /** First restart delay after a worker dies (default 200 ms, doubling per consecutive crash). */
    restartDelayMs?: number;
    /** Debounce of the config file watcher (default 200 ms). */
    watchDebounceMs?: number;
  };
}

export interface ReloadResult {
  ok: boolean;
  generation: number;
  errors?: ConfigError[];
}

export interface GatewayHandle {
  /** The first proxy listener's bound port. */
  readonly proxyPort: number;
  /** The bound port of every proxy_listen entry, in order. */
  readonly proxyPorts: readonly number[];
  /** null when authorizer_listen is "off" (the default). */
  readonly authorizerPort: number | null;
  /** The first admin listener's bound port; null when admin_listen is "off". */
  readonly adminPort: number | null;
  /** null when status_listen is "off". */
  readonly statusPort: number | null;
  readonly generation: number;
  /** The main-thread logger (worker logs are relayed into it). */
  readonly logger: pino.Logger;
  /**
   * Re-reads the config file; an invalid file is rejected (every error logged) and the old config keeps serving.
   * Runs in the same queue as Admin API writes, so a reload and a write never interleave.
   */
  reload(): Promise<ReloadResult>;
  /**
   * Fails readiness at once, keeps accepting for gateway.drain_delay_ms, then stops accepting and drains in-flight
   * requests (bounded by gateway.drain_timeout_ms) and ends every worker.
   */
  stop(): Promise<void>;
  status(): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
}

/** Settings bound at start-up (listeners, thread count, uWS header limit, logger); a reload keeps the running values. */
const RESTART_ONLY: ReadonlyArray<keyof GatewaySettings> = [
  'proxy_listen',
  'admin_listen',
  'http_engine',
  'workers',
  'gc_semi_space_mb',
  'max_header_bytes',
  'log_level',
  'authorizer_listen',
  'access_log',
  'status_listen',
  'watch_config',
  'admin_writes',
  'admin_config_endpoint',
];
const STATUS_REFRESH_MS = 250;

function hashConfig(config: ValidatedConfig): string {
  return createHash('md5').update(JSON.stringify(config)).digest('hex');
}

function workerEntry(): URL {
  // Running from src/ (tests with a TypeScript loader) the entry is worker.ts; from dist/ it is worker.js.
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

function logWarnings(logger: pino.Logger, warnings: readonly ConfigError[]): void {
  for (const w of warnings) logger.warn({ path: w.path }, `config: ${w.path}: ${w.message}`);
}

export async function startGateway(options: GatewayOptions): Promise<GatewayHandle> {
  const configPath = resolvePath(options.configPath);
  // The raw document is kept too: Admin API writes edit it and write it back to the file.
  const loaded = loadDocumentFile(configPath);
  if (!loaded.ok) throw new ConfigInvalidError(loaded.errors);
  // The same resolve step as `portcullis check`: overrides, the admin token in force, the cross-field rules.
  const resolved = resolveConfig(loaded.state.config, options.env, options.overrides);
  if (!resolved.adminToken.ok || resolved.errors.length > 0) throw new ConfigInvalidError(resolved.errors);
  let config = resolved.config;
  const settings = config.gateway;
  let adminToken = resolved.adminToken.token;
  const exposed = exposedAdminHost(settings) !== null;
  const logger = options.logger ?? createLogger({ level: settings.log_level });
  logWarnings(logger, loaded.state.warnings);
  const guard = createAdminGuard(guardPolicy(settings, adminToken), logger);
  // The status listener is read-only and tokenless (Kong's), but a rebound browser page must not read it either.
  const statusHost = settings.status_listen?.host ?? ''; // restart-only: the bound one
  const statusPolicy = (g: GatewaySettings) => ({ ...guardPolicy(g, null), listenHost: statusHost });
  const statusGuard = createAdminGuard(statusPolicy(settings), logger);
  const audit = createAdminAudit(logger, () => generation);

  // Process-wide, so once here for every worker thread: freed socket buffers stay mapped (no page fault per read).
  retainFreedHeap();
  // Before the first worker: its isolate reads the collector flags when it is created.
  const gc = applyGcSettings(settings.gc_semi_space_mb);
  logger.debug({ flags: gc.flags }, 'worker GC settings');

  let generation = 1;
  let configHash = hashConfig(config);
  let loadedAt = new Date().toISOString();
  let reloadsOk = 0;
  let reloadsFailed = 0;
  const startedAt = process.hrtime.bigint();
  const uptime = (): number => Number(process.hrtime.bigint() - startedAt) / 1e9;

  const pool: WorkerPool = createWorkerPool({
    entry: workerEntry(),
    execArgv: options.testing?.workerExecArgv ? [...process.execArgv, ...options.testing.workerExecArgv] : undefined,
    logger,
    count: settings.workers,
    config,
    generation,
    listeners: settings.proxy_listen,
    logLevel: settings.log_level,
    env: resolved.workerEnv,
    testHooks: options.testing?.onCrashHook !== undefined,
    restartDelayMs: options.testing?.restartDelayMs,
  });
  const proxyPorts = await pool.start();
  const proxyPort = proxyPorts[0]!;
  let draining = false;

  const proxyListen = settings.proxy_listen.map((l, i) => listenerAddress({ host: l.host, port: proxyPorts[i]! })).join(', ');
  const authorizerPort = pool.authorizerPort();
  const authorizerListen =
    settings.authorizer_listen && authorizerPort !== null
      ? listenerAddress({ host: settings.authorizer_listen.host, port: authorizerPort })
      : null;
  let adminListen: string | null = null;
  let adminPort: number | null = null;

  async function status(): Promise<Record<string, unknown>> {
    await pool.refresh(STATUS_REFRESH_MS);
    const totals = pool.totals();
    return buildStatus({
      ready: currentReadiness().ready,
      configGeneration: generation,
      configHash,
      configPath,
      configLoadedAt: loadedAt,
      proxyListen,
      adminListen,
      counters: totals,
      workers: pool.workers(),
      uptimeSeconds: uptime(),
    });
  }

  /** Not ready while draining, until every worker serves the current generation and every JWKS has loaded once. */
  function currentReadiness() {
    return readinessOf({ draining, generation, workers: pool.workers(), counters: pool.totals() });
  }

  async function readiness() {
    await pool.refresh(STATUS_REFRESH_MS);
    return currentReadiness();
  }

  async function metrics(): Promise<string> {
    await pool.refresh(STATUS_REFRESH_MS);
    const workers = pool.workers().map((w) => ({ id: w.id, requests: w.requests, restarts: w.restarts, generation: w.generation ?? 0 }));
    return renderMetrics({
      counters: pool.totals(),
      workers,
      configGeneration: generation,
      reloadsOk,
      reloadsFailed,
      uptimeSeconds: uptime(),
      admin: settings.admin_listen ? guard.counters : undefined,
    });
  }

  /** Pushes a validated config (from the file or an Admin API write) to every worker as the next generation. */
  async function applyValidated(validated: ValidatedConfig, warnings: readonly ConfigError[], source: string): Promise<ReloadResult> {
    logWarnings(logger, warnings);
    const resolvedNext = resolveConfig(validated, options.env, options.overrides);
    const next = resolvedNext.config;
    const gateway = { ...next.gateway };
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(gateway[key]) !== JSON.stringify(config.gateway[key])) {
        logger.warn({ setting: `gateway.${key}` }, `gateway.${key} changed; it takes effect only after a restart`);
      }
      (gateway as Record<string, unknown>)[key] = config.gateway[key];
    }
    const candidate: ValidatedConfig = { ...next, gateway };
    const nextGeneration = generation + 1;
    const outcome = await pool.reload(candidate, nextGeneration);
    if (!outcome.ok) {
      for (const f of outcome.failures) logger.error({ worker: f.worker }, `config reload failed in worker ${f.worker}: ${f.message}`);
    }
    config = candidate;
    generation = nextGeneration;
    updateGuard(candidate.gateway, resolvedNext.adminToken);
    configHash = hashConfig(candidate);
    loadedAt = new Date().toISOString();
    reloadsOk++;
    logger.info({ generation, source }, `config ${source === 'admin' ? 'changed by the Admin API' : 'reloaded'}: generation ${generation}`);
    return outcome.ok
      ? { ok: true, generation }
      : { ok: false, generation, errors: outcome.failures.map((f) => ({ path: `worker ${f.worker}`, message: f.message })) };
  }

  /** Token files are re-read on every reload; a token that cannot be read, or none on an exposed listener, keeps the old one. */
  function updateGuard(gateway: GatewaySettings, next: TokenResolution): void {
    if (!next.ok) {
      for (const e of next.errors) logger.error({ path: e.path }, `admin token not changed: ${e.path}: ${e.message}`);
    } else if (next.token === null && exposed) {
      logger.error({ path: '$.gateway.admin_token' }, 'admin token not removed: the Admin API listens on a non-loopback address');
    } else {
      adminToken = next.token;
    }
    guard.update(guardPolicy(gateway, adminToken));
    statusGuard.update(statusPolicy(gateway));
  }

  const nodeId = randomUUID();
  const store: AdminStore = createAdminStore({
    configPath,
    initial: loaded,
    apply: (validated, warnings) => applyValidated(validated, warnings, 'admin'),
    // Every reload and write goes through the resolve step `check` and `start` use, and is refused where they refuse.
    check: (validated) => resolveConfig(validated, options.env, options.overrides).errors,
    info: () => ({ version: packageVersion(), hostname: hostname(), node_id: nodeId }),
    onError: (err) => logger.error({ err }, 'Admin API write could not be saved to the config file; nothing was changed'),
    // Declarative mode never writes the (often read-only, mounted) file; an allowed `POST /config` lives in memory.
    writer: settings.admin_writes ? undefined : createMemoryWriter(),
  });
  const api = settings.admin_writes ? store : createReadOnlyApi(store, { configEndpoint: settings.admin_config_endpoint });

  let admin: AdminServer | null = null;
  if (settings.admin_listen) {
    admin = createAdminServer({ status, metrics, api, guard, audit });
    const bound: string[] = [];
    try {
      for (const l of settings.admin_listen) {
        const port = await admin.listen(l.host, l.port);
        adminPort ??= port;
        bound.push(listenerAddress({ host: l.host, port }));
      }
    } catch (err) {
      await admin.close();
      await pool.stop(0);
      throw err;
    }
    adminListen = bound.join(', ');
  }

  let replica: Replica;
  try {
    replica = await startReplica({
      logger,
      configPath,
      status,
      metrics,
      readiness,
      guard: statusGuard,
      reload: reloadFile,
      watch: settings.watch_config,
      statusListen: settings.status_listen,
      watchDebounceMs: options.testing?.watchDebounceMs,
    });
  } catch (err) {
    await pool.stop(0);
    await admin?.close();
    throw err;
  }
  const statusListen =
    replica.statusPort === null ? null : listenerAddress({ host: settings.status_listen!.host, port: replica.statusPort });

  const info = pool.info();
  if (info?.uwsNative === false) {
    logger.warn(
      { httpEngine: info.httpEngine, node: process.versions.node },
      `HTTP ENGINE SWITCHED TO NODE: the uWebSockets.js binary cannot load on Node ${process.versions.node}; ` +
        'the node engine serves every proxy listener (see README, "Choosing an HTTP engine")',
    );
  }
  const engines = settings.proxy_listen.map((l, i) => {
    const engine = info?.httpEngines[i] ?? '?';
    return `${listenerAddress({ host: l.host, port: proxyPorts[i]! })} (${engine}${l.http2 ? ', http2: uWS has no HTTP/2' : ''})`;
  });
  logger.info(
    {
      httpEngine: info?.httpEngine,
      httpEngines: info?.httpEngines,
      hmacEngine: info?.hmacEngine,
      workers: settings.workers,
      proxyListen,
      adminListen,
      statusListen,
      authorizerListen,
      generation,
      configPath,
    },
    `portcullis started: ${settings.workers} worker(s), proxy on ${engines.join(', ')}, admin on ${adminListen ?? 'off'}, ` +
      `status on ${statusListen ?? 'off'}, ` +
      (authorizerListen === null ? '' : `authorizer on ${authorizerListen}, `) +
      `HTTP engine ${info?.httpEngine === 'uws-native' ? 'native uWebSockets.js' : info?.httpEngine}, ` +
      `HMAC engine ${info?.hmacEngine === 'native' ? 'native addon' : 'node:crypto fallback (native addon not loaded)'}, config generation ${generation}`,
  );

  async function reloadFile(): Promise<ReloadResult> {
    // The store's queue runs this after any pending Admin API write; `applied` tells a rejected file from a worker failure.
    let applied = false;
    const result = await store.reloadFromFile((validated, warnings) => {
      applied = true;
      return applyValidated(validated, warnings, 'file');
    });
    if (!applied && !result.ok) {
      const errors = result.errors ?? [];
      reloadsFailed++;
      for (const e of errors) logger.error({ path: e.path }, `config reload rejected: ${e.path}: ${e.message}`);
      logger.error({ errors: errors.length, generation }, 'config reload rejected; the previous config keeps serving');
      audit.reload(configPath, false);
      return { ok: false, generation, errors };
    }
    audit.reload(configPath, result.ok);
    return { ...result, generation } as ReloadResult;
  }

  let stopped: Promise<void> | null = null;
  const handle: GatewayHandle = {
    proxyPort,
    proxyPorts,
    authorizerPort,
    adminPort,
    statusPort: replica.statusPort,
    get generation() {
      return generation;
    },
    logger,
    reload: reloadFile,
    stop() {
      stopped ??= (async () => {
        draining = true;
        replica.stopWatching();
        await drainDelay(config.gateway.drain_delay_ms, logger);
        logger.info({ drainTimeoutMs: config.gateway.drain_timeout_ms }, 'stopping: draining in-flight requests');
        await pool.stop(config.gateway.drain_timeout_ms);
        await admin?.close();
        await replica.close();
        logger.info('stopped');
      })();
      return stopped;
    },
    status,
    metrics,
  };
  options.testing?.onCrashHook?.((id) => pool.crash(id));
  return handle;
}
