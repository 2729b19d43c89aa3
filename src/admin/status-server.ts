// The status listener (Kong's status_listen, node:http): read-only `GET /status`, `GET /status/ready` and `GET /metrics` for probes.
import http from 'node:http';
import { METRICS_CONTENT_TYPE } from '../observability/metrics.js';
import { GATEWAY_MESSAGES } from '../errors.js';
import { sendJson } from './admin-http.js';
import { closeHttp, listenHttp } from './http-listen.js';
import { METHOD_NOT_ALLOWED, NOT_FOUND } from './entities/kong-errors.js';
import type { AdminGuard } from './admin-guard.js';

/** Why the node is not ready; null when it is. */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface StatusSources {
  status(): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
  readiness(): Promise<Readiness>;
  /** The admin listener's Host and Origin rules (no token: probes and scrapers carry none); absent = none. */
  guard?: AdminGuard;
}

export interface StatusServer {
  /** Resolves with the bound port (port 0 = ephemeral). */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

/** Kong 3.3+'s answers: 200 `{"message":"ready"}`, 503 `{"message":"<why not>"}`. */
export const READY_BODY = { message: 'ready' } as const;

export function createStatusServer(sources: StatusSources): StatusServer {
  const server = http.createServer((req, res) => {
    if (sources.guard !== undefined && !sources.guard.admit(req, res)) return;
    req.resume();
    const path = (req.url ?? '/').split('?', 1)[0];
    const fail = (err: unknown): void => sendJson(req, res, 500, { message: GATEWAY_MESSAGES.unexpected, error: String(err) });
    const known = path === '/status' || path === '/status/ready' || path === '/metrics';
    if (!known) return sendJson(req, res, NOT_FOUND.status, NOT_FOUND.body);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(req, res, METHOD_NOT_ALLOWED.status, METHOD_NOT_ALLOWED.body);
    if (path === '/status/ready') {
      sources.readiness().then((r) => sendJson(req, res, r.ready ? 200 : 503, r.ready ? READY_BODY : { message: r.reason }), fail);
    } else if (path === '/status') {
      sources.status().then((doc) => sendJson(req, res, 200, doc), fail);
    } else {
      sources.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      }, fail);
    }
  });
  // Probes open a connection per check; a short keep-alive keeps close() quick.
  server.keepAliveTimeout = 5_000;

  return {
    listen: (host, port) => listenHttp(server, host, port),
    close: () => closeHttp(server),
  };
}
