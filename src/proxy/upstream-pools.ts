// One keep-alive undici Pool per service origin and timeout set, per worker thread.
import { Pool } from 'undici';
import type { CompiledService } from '../config/types.js';

export interface UpstreamPools {
  /** The pool for this service; created on first use. */
  get(service: CompiledService): Pool;
  /** Gracefully closes pools no service in `keep` uses (after a reload); in-flight requests finish. */
  retain(keep: readonly CompiledService[]): void;
  /** Closes every pool; in-flight requests are allowed to finish, then destroyed after timeoutMs. */
  close(timeoutMs: number): Promise<void>;
}

export interface UpstreamPoolOptions {
  /** Connections per origin per thread. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

function poolKey(s: CompiledService): string {
  const e = s.entity;
  return `${s.origin}|${e.connect_timeout}|${e.read_timeout}`;
}

export function createUpstreamPools(options: UpstreamPoolOptions = {}): UpstreamPools {
  const pools = new Map<string, Pool>();
  // Pool lookup per request without building the key string: cached on the (immutable, per-generation) service object.
  const byService = new WeakMap<CompiledService, Pool>();
  const connections = options.connections ?? 128;
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 60_000;

  function create(service: CompiledService): Pool {
    const e = service.entity;
    return new Pool(service.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout,
      headersTimeout: e.read_timeout,
      bodyTimeout: e.read_timeout,
      connect: { timeout: e.connect_timeout },
    });
  }

  return {
    get(service) {
      let pool = byService.get(service);
      if (pool !== undefined) return pool;
      const key = poolKey(service);
      pool = pools.get(key);
      if (pool === undefined) {
        pool = create(service);
        pools.set(key, pool);
      }
      byService.set(service, pool);
      return pool;
    },
    retain(keep) {
      const used = new Set(keep.map(poolKey));
      for (const [key, pool] of pools) {
        if (used.has(key)) continue;
        pools.delete(key);
        pool.close().catch(() => undefined);
      }
    },
    async close(timeoutMs) {
      const all = [...pools.values()];
      pools.clear();
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(all.map((p) => p.close().catch(() => undefined)));
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
      });
      const outcome = await Promise.race([graceful.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout') await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
    },
  };
}
