// The admin listener (node:http): Kong-Admin-Token check, `GET /status`, `GET /metrics`, and the Kong Admin API from the store.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { METRICS_CONTENT_TYPE } from '../observability/metrics.js';
import { GATEWAY_MESSAGES } from '../errors.js';
import { createTokenCheck, serveAdminApi } from './admin-http.js';
import { ADMIN_MESSAGES } from './entities/kong-errors.js';
import type { AdminStore } from './admin-store.js';

export interface AdminSources {
  status(): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
  /** The Kong Admin API (entities, `/config`); without it every other path is 404. */
  api?: AdminStore;
  /** Required Kong-Admin-Token value for every path; null/absent = no token. */
  token?: string | null;
  maxBodyBytes?: number;
}

export interface AdminServer {
  /** Resolves with the bound port (port 0 = ephemeral). */
  listen(host: string, port: number): Promise<number>;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

export function createAdminServer(sources: AdminSources): AdminServer {
  const tokenOk = createTokenCheck(sources.token ?? null);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const send = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const fail = (err: unknown): void => send(500, JSON_TYPE, JSON.stringify({ message: GATEWAY_MESSAGES.unexpected, error: String(err) }));
    if (!tokenOk(req)) {
      req.resume();
      return send(401, JSON_TYPE, JSON.stringify({ message: ADMIN_MESSAGES.invalidAdminToken }));
    }
    if (sources.api && path !== '/status' && path !== '/metrics') {
      serveAdminApi(req, res, sources.api, sources.maxBodyBytes).catch((err: unknown) => {
        if (!res.headersSent) fail(err);
        else res.destroy();
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      if (path === '/status' || path === '/metrics') return send(405, JSON_TYPE, JSON.stringify({ message: ADMIN_MESSAGES.methodNotAllowed }));
      return send(404, JSON_TYPE, JSON.stringify({ message: ADMIN_MESSAGES.notFound }));
    }
    if (path === '/status') {
      sources.status().then((doc) => send(200, JSON_TYPE, JSON.stringify(doc)), fail);
    } else if (path === '/metrics') {
      sources.metrics().then((text) => send(200, METRICS_CONTENT_TYPE, text), fail);
    } else {
      send(404, JSON_TYPE, JSON.stringify({ message: ADMIN_MESSAGES.notFound }));
    }
  });
  server.keepAliveTimeout = 5_000;

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    },
  };
}
