// The admin listener (node:http): the guard (origin, Host, Kong-Admin-Token), `GET /status`, `GET /metrics`, and the Kong Admin API from the store.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE } from '../observability/metrics.js';
import { GATEWAY_MESSAGES } from '../errors.js';
import { sendJson, serveAdminApi } from './admin-http.js';
import { METHOD_NOT_ALLOWED, NOT_FOUND } from './entities/kong-errors.js';
import { createAdminGuard, type AdminGuard } from './admin-guard.js';
import type { AdminAudit } from './admin-audit.js';
import type { AdminStore } from './admin-store.js';
import { serveExplain } from './debug-explain.js';

export interface AdminSources {
  status(): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
  /** The Kong Admin API (entities, `/config`); without it every other path is 404. */
  api?: AdminStore;
  /** Required Kong-Admin-Token value for every path; null/absent = no token. Ignored when `guard` is given. */
  token?: string | null;
  /** Origin / Host / token checks for every path (admin-guard.ts); default: loopback-only with `token`. */
  guard?: AdminGuard;
  /** Hears every Admin API write (admin-audit.ts). */
  audit?: AdminAudit;
}

export interface AdminServer {
  /** Resolves with the bound port (port 0 = ephemeral); each call adds one more listener (admin_listen entries). */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

export function createAdminServer(sources: AdminSources): AdminServer {
  const guard = sources.guard ?? createAdminGuard({ token: sources.token ?? null, allowedOrigins: [], allowedHosts: [], listenHost: '' });
  const handler: http.RequestListener = (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const fail = (err: unknown): void => sendJson(req, res, 500, { message: GATEWAY_MESSAGES.unexpected, error: String(err) });
    if (!guard.admit(req, res)) return;
    if (path === '/debug/explain' && sources.api) {
      serveExplain(req, res, sources.api.state.config).catch(fail);
      return;
    }
    if (sources.api && path !== '/status' && path !== '/metrics') {
      serveAdminApi(req, res, sources.api, sources.audit).catch((err: unknown) => {
        if (!res.headersSent) fail(err);
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const refusal = path === '/status' || path === '/metrics' ? METHOD_NOT_ALLOWED : NOT_FOUND;
      return sendJson(req, res, refusal.status, refusal.body);
    }
    if (path === '/status') {
      sources.status().then((doc) => sendJson(req, res, 200, doc), fail);
    } else if (path === '/metrics') {
      sources.metrics().then((text) => {
        res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
      }, fail);
    } else {
      sendJson(req, res, NOT_FOUND.status, NOT_FOUND.body);
    }
  };
  const servers: http.Server[] = [];

  return {
    listen(host, port) {
      const server = http.createServer(handler);
      server.keepAliveTimeout = 5_000;
      servers.push(server);
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    async close() {
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              if (!server.listening) return resolve();
              server.close(() => resolve());
              server.closeIdleConnections();
            }),
        ),
      );
    },
  };
}
