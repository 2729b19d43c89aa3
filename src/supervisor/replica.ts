// A replica's Kubernetes side: readiness from the workers' state, the status listener, the watched config file, and the drain delay.
import type pino from 'pino';
import type { WorkerStatus } from '../admin/status.js';
import { createStatusServer, type Readiness, type StatusServer, type StatusSources } from '../admin/status-server.js';
import { createConfigWatcher, type ConfigWatcher } from '../config/config-watcher.js';
import type { ListenAddress } from '../config/types.js';
import type { DataPlaneCounters } from '../pipeline/types.js';

export interface ReadinessInput {
  draining: boolean;
  generation: number;
  workers: readonly WorkerStatus[];
  counters: DataPlaneCounters;
}

/** Ready = not draining, every worker serving the current config generation, every JWKS loaded once (or its wait ended). */
export function readinessOf(input: ReadinessInput): Readiness {
  if (input.draining) return { ready: false, reason: 'draining: the gateway is shutting down' };
  for (const w of input.workers) {
    if (w.state !== 'ready') return { ready: false, reason: `worker ${w.id} is not serving (${w.state})` };
    // Mid-reload a worker may already run the next generation; one left behind (its reload failed) is not ready.
    if ((w.generation ?? 0) < input.generation) {
      return { ready: false, reason: `worker ${w.id} runs config generation ${w.generation ?? 'none'}, not ${input.generation}` };
    }
  }
  const c = input.counters;
  if (c.jwksSourcesReady < c.jwksSources) {
    return { ready: false, reason: `JWKS not loaded yet: ${c.jwksSourcesReady} of ${c.jwksSources} sources ready` };
  }
  return { ready: true };
}

export interface ReplicaOptions extends StatusSources {
  logger: pino.Logger;
  configPath: string;
  /** gateway.watch_config or `--watch`. */
  watch: boolean;
  statusListen: ListenAddress | null;
  /** Re-reads the config file exactly as SIGHUP does (validate, apply to every worker, keep the old config on error). */
  reload(): Promise<unknown>;
  /** For tests: the watcher's debounce. */
  watchDebounceMs?: number;
}

export interface Replica {
  /** null when status_listen is off. */
  readonly statusPort: number | null;
  /** Stops watching the file (first step of a shutdown: no reload may start during a drain). */
  stopWatching(): void;
  close(): Promise<void>;
}

export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const { logger } = options;
  let watcher: ConfigWatcher | null = null;
  if (options.watch) {
    watcher = await createConfigWatcher({
      path: options.configPath,
      debounceMs: options.watchDebounceMs,
      onChange() {
        logger.info({ configPath: options.configPath }, 'config file changed: reloading');
        options.reload().catch((err: unknown) => logger.error({ err }, 'reload failed'));
      },
      onError: (err) => logger.error({ err }, 'config watch failed; the file is still re-checked every few seconds'),
    });
  }
  let server: StatusServer | null = null;
  let statusPort: number | null = null;
  if (options.statusListen) {
    server = createStatusServer(options);
    try {
      statusPort = await server.listen(options.statusListen.host, options.statusListen.port);
    } catch (err) {
      watcher?.close();
      throw err;
    }
  }
  const stopWatching = (): void => {
    watcher?.close();
    watcher = null;
  };
  return {
    statusPort,
    stopWatching,
    async close() {
      stopWatching();
      await server?.close();
    },
  };
}

/** Waits `ms` with readiness already failing, so load balancers remove the endpoint while the proxy still accepts. */
export function drainDelay(ms: number, logger: pino.Logger): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  logger.info({ drainDelayMs: ms }, `not ready; still accepting for ${ms} ms so load balancers can remove this endpoint`);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
