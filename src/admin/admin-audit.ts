// The audit trail: one info line per Admin API write and per config reload, naming what changed and never a secret.

export interface AuditLogger {
  info(obj: Record<string, unknown>, msg: string): void;
}

/** One audited change; only these fields are ever logged (no body, no query string, no header values). */
export interface AuditEntry {
  method: string;
  /** Path without the query string. */
  path: string;
  peer: string | null;
  status: number;
  entity: string;
  entity_id: string | null;
  generation: number;
}

export interface AdminAudit {
  /** An Admin API write (POST/PUT/PATCH/DELETE) and its answer. */
  write(method: string, path: string, peer: string | null, status: number, body: unknown): void;
  /** A reload of the config file (SIGHUP or `reload()`). */
  reload(path: string, ok: boolean): void;
}

/** The path word → the entity type it names (`jwt` under a consumer and `jwts` are both credentials). */
const ENTITY_OF_SEGMENT: Readonly<Record<string, string>> = {
  services: 'services',
  service: 'services',
  routes: 'routes',
  route: 'routes',
  plugins: 'plugins',
  consumers: 'consumers',
  consumer: 'consumers',
  jwts: 'jwt_secrets',
  jwt: 'jwt_secrets',
  config: 'config',
};

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Entity type and id of a write: the last entity word of the path, and the answer's `id` (else the path's name). */
export function describeWrite(path: string, body: unknown): { entity: string; entity_id: string | null } {
  const segs = path.split('/').filter((s) => s !== '');
  let entity = 'unknown';
  let named: string | null = null;
  for (let i = 0; i < segs.length; i += 2) {
    const e = ENTITY_OF_SEGMENT[segs[i]!];
    if (e === undefined) break;
    entity = e;
    named = segs[i + 1] !== undefined ? decode(segs[i + 1]!) : null;
  }
  const id =
    body !== null && typeof body === 'object' && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : null;
  return { entity, entity_id: entity === 'config' ? null : (id ?? named) };
}

export function createAdminAudit(logger: AuditLogger, generation: () => number): AdminAudit {
  function log(e: AuditEntry): void {
    const what = e.entity_id === null ? e.entity : `${e.entity} ${e.entity_id}`;
    logger.info(
      { audit: true, ...e },
      `admin audit: ${e.method} ${e.path} from ${e.peer ?? 'local'} → ${e.status} (${what}), config generation ${e.generation}`,
    );
  }
  return {
    write(method, path, peer, status, body) {
      log({ method, path, peer, status, ...describeWrite(path, body), generation: generation() });
    },
    reload(path, ok) {
      log({ method: 'RELOAD', path, peer: null, status: ok ? 200 : 400, entity: 'config', entity_id: null, generation: generation() });
    },
  };
}
