import { describe, expect, it } from 'vitest';
import { buildStatus, type WorkerStatus } from '../../../src/admin/status.js';
import { emptyCounters } from '../../../src/observability/counters.js';

const worker: WorkerStatus = {
  id: 0,
  thread_id: 1,
  state: 'ready',
  generation: 3,
  port: 8000,
  http_engine: 'uws-native',
  hmac_engine: 'native',
  restarts: 0,
  requests: 9,
  in_flight: 1,
  heap_used: 1234,
};

describe('buildStatus', () => {
  it("has Kong's database/server/memory shape plus ready, workers, config and counters", () => {
    const doc = buildStatus({
      ready: true,
      configGeneration: 3,
      configHash: 'abc',
      configPath: '/x/kong.json',
      configLoadedAt: 't',
      proxyListen: '0.0.0.0:8000',
      adminListen: '127.0.0.1:8001',
      counters: { ...emptyCounters(), requests: 9, inFlight: 1 },
      workers: [worker],
      uptimeSeconds: 5,
    });
    expect(doc).toMatchObject({
      database: { reachable: true },
      server: { connections_active: 1, total_requests: 9 },
      memory: { workers: [{ id: 0, heap_used: 1234 }] },
      configuration_hash: 'abc',
      ready: true,
      config: { generation: 3, path: '/x/kong.json' },
      engines: { http: 'uws-native', hmac: 'native' },
      workers: [worker],
      counters: { requests: 9 },
    });
    expect(typeof (doc.memory as { rss: number }).rss).toBe('number');
  });
});
