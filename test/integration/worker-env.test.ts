// The worker spawn: every worker thread starts with the variables the resolve step computed (uWS's header size).
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { createLogger } from '../../src/observability/logger.js';
import { createWorkerPool } from '../../src/supervisor/worker-pool.js';
import { base, valid } from '../unit/config/helpers.js';

const ECHO_WORKER = new URL('../helpers/env-echo-worker.mjs', import.meta.url);
const saved = process.env.UWS_HTTP_MAX_HEADERS_SIZE;
afterEach(() => {
  if (saved === undefined) delete process.env.UWS_HTTP_MAX_HEADERS_SIZE;
  else process.env.UWS_HTTP_MAX_HEADERS_SIZE = saved;
});

describe('worker spawn environment', () => {
  it('starts every worker with the clamped UWS_HTTP_MAX_HEADERS_SIZE of max_header_bytes, also in the process environment uWS reads', async () => {
    process.env.UWS_HTTP_MAX_HEADERS_SIZE = '4096';
    const resolved = resolveConfig(valid(base({ gateway: { max_header_bytes: 65536, workers: 2 } })), {});
    const pool = createWorkerPool({
      entry: ECHO_WORKER,
      logger: createLogger({ level: 'silent' }),
      count: 2,
      config: resolved.config,
      generation: 1,
      listeners: [{ host: '127.0.0.1', port: 0 }],
      logLevel: 'silent',
      env: resolved.workerEnv,
    });
    try {
      await pool.start();
      expect(pool.workers().map((w) => w.http_engine)).toEqual(['env:65536', 'env:65536']);
      expect(process.env.UWS_HTTP_MAX_HEADERS_SIZE).toBe('65536');
    } finally {
      await pool.stop(1000);
    }
  });
});
