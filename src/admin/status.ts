// Builds the `GET /status` document: Kong's shape (database, server, memory) plus Portcullis's own fields.
import type { DataPlaneCounters } from '../pipeline/types.js';

export interface WorkerStatus {
  id: number;
  thread_id: number | null;
  state: 'starting' | 'ready' | 'stopping' | 'restarting' | 'stopped';
  generation: number | null;
  port: number | null;
  http_engine: string | null;
  hmac_engine: string | null;
  restarts: number;
  requests: number;
  in_flight: number;
  heap_used: number | null;
}

export interface StatusInput {
  ready: boolean;
  configGeneration: number;
  configHash: string;
  configPath: string;
  configLoadedAt: string;
  proxyListen: string;
  adminListen: string | null;
  counters: DataPlaneCounters;
  workers: readonly WorkerStatus[];
  uptimeSeconds: number;
}

export function buildStatus(input: StatusInput): Record<string, unknown> {
  const c = input.counters;
  const mem = process.memoryUsage();
  return {
    database: { reachable: true },
    server: {
      // uWS does not expose connection counts; "active" is the number of requests in flight.
      connections_active: c.inFlight,
      connections_reading: 0,
      connections_writing: c.inFlight,
      connections_waiting: 0,
      connections_accepted: null,
      connections_handled: null,
      total_requests: c.requests,
    },
    memory: {
      rss: mem.rss,
      main_heap_used: mem.heapUsed,
      workers: input.workers.map((w) => ({ id: w.id, heap_used: w.heap_used })),
    },
    configuration_hash: input.configHash,
    ready: input.ready,
    uptime_seconds: Math.round(input.uptimeSeconds),
    config: {
      generation: input.configGeneration,
      path: input.configPath,
      loaded_at: input.configLoadedAt,
    },
    listen: { proxy: input.proxyListen, admin: input.adminListen },
    engines: summarizeEngines(input.workers),
    workers: input.workers,
    counters: c,
  };
}

function summarizeEngines(workers: readonly WorkerStatus[]): { http: string | null; hmac: string | null } {
  const ready = workers.find((w) => w.http_engine !== null);
  return { http: ready?.http_engine ?? null, hmac: ready?.hmac_engine ?? null };
}
