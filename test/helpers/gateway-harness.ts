// Test helpers for the supervisor: config files, a holdable node:http upstream, an in-process gateway with captured logs, HTTP calls.
import http from 'node:http';
import { afterEach } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type GatewayHandle, type GatewayOptions } from '../../src/gateway.js';
import { createLogger } from '../../src/observability/logger.js';
import { startUpstream as startHttpUpstream } from './http-upstream.js';

export const TS_REGISTER = new URL('./ts-register.mjs', import.meta.url).href;

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'portcullis-gw-'));
}

export function writeConfig(path: string, config: unknown): string {
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

/** A config with one service → upstreamPort and one route per path; ephemeral proxy and admin ports. */
export function gatewayConfig(upstreamPort: number, paths: string[], gateway: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: '127.0.0.1:0', workers: 1, drain_timeout_ms: 5000, ...gateway },
    services: [
      {
        name: 'svc',
        url: `http://127.0.0.1:${upstreamPort}`,
        routes: paths.map((p, i) => ({ name: `r${i}`, paths: [p] })),
      },
    ],
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** node:http upstream echoing JSON; a request to a path containing `/hold` waits until `release()` is called. */
export interface TestUpstream {
  port: number;
  seen: SeenRequest[];
  /** Resolves when the next held request has reached the upstream. */
  nextHeld(): Promise<void>;
  /** Answers every held request. */
  release(): void;
  close(): Promise<void>;
}

export async function startUpstream(): Promise<TestUpstream> {
  const seen: SeenRequest[] = [];
  let held: Array<() => void> = [];
  let heldWaiters: Array<() => void> = [];
  const upstream = await startHttpUpstream((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const answer = (): void => {
      const body = JSON.stringify({ method: req.method, url: req.url });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    req.resume();
    if (req.url?.includes('/hold')) {
      held.push(answer);
      const waiters = heldWaiters;
      heldWaiters = [];
      for (const w of waiters) w();
    } else {
      answer();
    }
  });
  return {
    port: upstream.port,
    seen,
    nextHeld: () => new Promise<void>((r) => heldWaiters.push(r)),
    release() {
      const all = held;
      held = [];
      for (const a of all) a();
    },
    close: upstream.close,
  };
}

export interface LogCapture {
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line (already logged or future) matching `test`. */
  waitFor(test: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

export function captureLogs(): LogCapture & { logger: ReturnType<typeof createLogger> } {
  const lines: Array<Record<string, unknown>> = [];
  let waiters: Array<{ test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  const logger = createLogger({
    level: 'info',
    destination: {
      write(line: string) {
        const record = JSON.parse(line) as Record<string, unknown>;
        lines.push(record);
        waiters = waiters.filter((w) => {
          if (!w.test(record)) return true;
          w.resolve(record);
          return false;
        });
      },
    },
  });
  return {
    logger,
    lines,
    waitFor(test) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

export async function startTestGateway(
  configPath: string,
  extra: Partial<GatewayOptions> = {},
): Promise<{ gateway: GatewayHandle; logs: LogCapture }> {
  const logs = captureLogs();
  const gateway = await startGateway({
    configPath,
    logger: logs.logger,
    ...extra,
    testing: { workerExecArgv: ['--import', TS_REGISTER], restartDelayMs: 20, ...extra.testing },
  });
  return { gateway, logs };
}

/** What a test started; cleared after each test by `stopAfterEach`. */
export interface Started {
  gateway: GatewayHandle | null;
  upstream: TestUpstream | null;
}

/** Registers an afterEach that stops the gateway and upstream a test put into the returned object. */
export function stopAfterEach(): Started {
  const started: Started = { gateway: null, upstream: null };
  afterEach(async () => {
    await started.gateway?.stop();
    await started.upstream?.close();
    started.gateway = null;
    started.upstream = null;
  });
  return started;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Polls /status until ready (bounded): readiness waits for every JWKS's first load. */
export async function waitReady(gw: GatewayHandle, limitMs = 5000): Promise<boolean> {
  const end = Date.now() + limitMs;
  for (;;) {
    if ((await gw.status()).ready === true) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One request on a fresh connection (no keep-alive), so connections spread over workers. */
export function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: 'GET', agent: false, headers: { connection: 'close', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}
