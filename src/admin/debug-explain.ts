// `POST /debug/explain` on the admin listener: the JSON form of `portcullis explain` for the config being served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileConfig } from '../config/compile.js';
import type { ValidatedConfig } from '../config/types.js';
import { GATEWAY_MESSAGES } from '../errors.js';
import { explainRequest, type ExplainInput } from '../explain/explain.js';
import { parseHeaderFlag } from '../explain/explain-command.js';
import { sendJson } from './admin-http.js';

const MAX_BODY_BYTES = 64 * 1024;

/** The body, or null past the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function isStringRecord(v: unknown): v is Record<string, string> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** The body `{method?, host?, path, headers?, token?}` as an ExplainInput, or the message of what is wrong. */
export function explainInputOf(body: unknown): ExplainInput | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object {"path": "/…", …}';
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !['method', 'host', 'path', 'headers', 'token'].includes(k));
  if (unknown.length > 0) return `unknown field '${unknown[0]}'`;
  if (typeof b.path !== 'string' || !b.path.startsWith('/')) return "'path' must be a string starting with '/'";
  for (const k of ['method', 'host', 'token'] as const) {
    if (b[k] !== undefined && typeof b[k] !== 'string') return `'${k}' must be a string`;
  }
  if (typeof b.method === 'string' && !/^[A-Za-z]+$/.test(b.method)) return "'method' must be an HTTP method";
  let headers: Array<[string, string]> = [];
  if (Array.isArray(b.headers)) {
    for (const h of b.headers) {
      const parsed = typeof h === 'string' ? parseHeaderFlag(h) : null;
      if (parsed === null) return "'headers' entries must be 'Name: value' strings";
      headers.push(parsed);
    }
  } else if (isStringRecord(b.headers)) {
    headers = Object.entries(b.headers);
  } else if (b.headers !== undefined) {
    return "'headers' must be an object of strings or a list of 'Name: value' strings";
  }
  return {
    method: b.method as string | undefined,
    host: b.host as string | undefined,
    path: b.path,
    headers,
    token: b.token as string | undefined,
  };
}

export async function serveExplain(req: IncomingMessage, res: ServerResponse, config: ValidatedConfig): Promise<void> {
  if (req.method !== 'POST') {
    req.resume();
    return sendJson(req, res, 405, { message: 'Method not allowed' });
  }
  const raw = await readBody(req, MAX_BODY_BYTES);
  if (raw === null) return sendJson(req, res, 413, { message: GATEWAY_MESSAGES.payloadTooLarge });
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendJson(req, res, 400, { message: 'Cannot parse JSON body' });
  }
  const input = explainInputOf(body);
  if (typeof input === 'string') return sendJson(req, res, 400, { message: input });
  sendJson(req, res, 200, await explainRequest(compileConfig(config, 0), input));
}
