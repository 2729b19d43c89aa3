// node:http glue for the Admin API: token compare, bounded body read, body parsing, and JSON responses from the admin store.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { GATEWAY_MESSAGES } from '../errors.js';
import { ADMIN_MAX_BODY_BYTES, parseAdminBody } from './body-parser.js';
import type { AdminStore } from './admin-store.js';
import type { AdminAudit } from './admin-audit.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const ADMIN_TOKEN_HEADER = 'kong-admin-token';
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time check of the Kong-Admin-Token header; always true when no token is configured. */
export function createTokenCheck(token: string | null): (req: IncomingMessage) => boolean {
  if (token === null) return () => true;
  const expected = digest(token);
  return (req) => {
    const got = req.headers[ADMIN_TOKEN_HEADER];
    if (typeof got !== 'string') return false;
    return timingSafeEqual(digest(got), expected);
  };
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  if (status === 204 || body === null) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Reads the body up to `limit` bytes; null when it is larger (the rest is discarded). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(null);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function contentTypes(req: IncomingMessage): string[] {
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'content-type') out.push(req.rawHeaders[i + 1]!);
  }
  return out;
}

/** Serves one Admin API request (everything but /status and /metrics) from the store; `audit` hears every write's answer. */
export async function serveAdminApi(req: IncomingMessage, res: ServerResponse, store: AdminStore, audit?: AdminAudit): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  const method = (req.method ?? 'GET').toUpperCase();
  // Every write attempt is audited, including those refused before the store (413, 400, 415).
  const answer = (status: number, out: unknown): void => {
    if (audit && WRITE_METHODS.has(method)) audit.write(method, path, req.socket.remoteAddress ?? null, status, out);
    sendJson(req, res, status, out);
  };
  let body = null;
  if (method === 'POST' || method === 'PUT' || method === 'PATCH') {
    const raw = await readBody(req, ADMIN_MAX_BODY_BYTES);
    if (raw === null) return answer(413, { message: GATEWAY_MESSAGES.payloadTooLarge });
    const parsed = await parseAdminBody(contentTypes(req), raw);
    if (!parsed.ok) return answer(parsed.result.status, parsed.result.body);
    body = parsed.body;
  } else {
    req.resume();
  }
  const result = await store.handle({ method: method === 'HEAD' ? 'GET' : method, path, query, body });
  answer(result.status, result.body);
}

/** 127.0.0.0/8, ::1 and localhost; anything else (0.0.0.0 included) is reachable from outside. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}
