// Declarative mode (gateway.admin_writes false): the Admin API answers writes as Kong's DB-less node does; reads pass through.
import type { ConfigWriter } from '../config/persist.js';
import { isUuid } from '../config/ids.js';
import { KINDS, type Kind } from './entities/kinds.js';
import { handleAdminRequest, type AdminRequest, type AdminResponse } from './admin-router.js';
import type { AdminStore } from './admin-store.js';

export interface ReadOnlyOptions {
  /** Whether `POST /config` may still replace the running config (in memory; the file is never written). */
  configEndpoint: boolean;
}

/** Kong's `OPERATION_UNSUPPORTED` error (kong/db/errors.lua code 12), answered with 405 by its Admin API. */
export function operationUnsupported(message: string): AdminResponse {
  return { status: 405, body: { code: 12, name: 'operation unsupported', message } };
}

export const CONFIG_ENDPOINT_DISABLED =
  'cannot replace the configuration through the Admin API: gateway.admin_writes is false ' +
  'and gateway.admin_config_endpoint is not true';

/** Kong's DB-less strategy names the operation per DAO method: insert, upsert, update, delete. */
const OPERATIONS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'create or update', PATCH: 'update', DELETE: 'remove' };
/** URL segments whose entity kind is not spelled as the segment. */
const SEGMENT_KIND: Readonly<Record<string, Kind>> = { jwts: 'jwt_secrets', jwt: 'jwt_secrets' };

function dbLessRefusal(method: string, segs: readonly string[]): AdminResponse {
  // `/kind[/id]` or `/parent/p/kind[/id]`: the entity written is named by the last collection segment.
  const nested = segs.length > 2;
  const segment = nested ? segs[2]! : segs[0]!;
  const kind: Kind = SEGMENT_KIND[segment] ?? (segment as Kind);
  const target = nested ? segs[3] : segs[1];
  const key = KINDS[kind]?.endpointKey ?? null;
  // Kong addresses an entity by id or by its endpoint key; the latter goes through the `*_by_<key>` DAO method.
  const by = target !== undefined && key !== null && method !== 'POST' && !isUuid(target) ? ` by '${key}'` : '';
  return operationUnsupported(`cannot ${OPERATIONS[method]} '${kind}' entities${by} when not using a database`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A writer that keeps the document in memory: `POST /config` (when allowed) then never touches a mounted, read-only file. */
export function createMemoryWriter(): ConfigWriter {
  return { write: async () => undefined, rebase: () => undefined, current: () => null, idle: async () => undefined };
}

/**
 * Wraps the store: a write is first checked exactly as it would run (so bad input still gets Kong's 400/404, as Kong
 * validates before its DB-less strategy refuses), and refused with 405 when it would change anything.
 */
export function createReadOnlyApi(store: AdminStore, options: ReadOnlyOptions): AdminStore {
  const dryRun = { now: () => Math.floor(Date.now() / 1000) };
  return {
    get state() {
      return store.state;
    },
    reloadFromFile: (apply) => store.reloadFromFile(apply),
    async handle(req: AdminRequest) {
      const method = req.method.toUpperCase();
      if (OPERATIONS[method] === undefined) return store.handle(req);
      // Segments decoded as the router decodes them, so `/%63onfig` is `/config` here too.
      const segs = req.path
        .split('/')
        .filter((s) => s !== '')
        .map(safeDecode);
      if (segs.length === 1 && segs[0] === 'config') {
        if (method === 'POST' && !options.configEndpoint) return operationUnsupported(CONFIG_ENDPOINT_DISABLED);
        return store.handle(req);
      }
      const res = handleAdminRequest(store.state, req, dryRun);
      if (!res.next) return res;
      return dbLessRefusal(method, segs);
    },
  };
}
