// Kong's Admin API error bodies (codes and messages from kong/db/errors.lua) built from validator errors and model checks.
import type { ConfigError } from '../../config/types.js';
import type { Kind } from './kinds.js';

export interface ApiResult {
  status: number;
  /** JSON body; null for 204. */
  body: unknown;
}

/** The Admin API's fixed client messages (Kong's texts where Kong has one); the proxy's live in src/errors.ts. */
export const ADMIN_MESSAGES = {
  notFound: 'Not found',
  methodNotAllowed: 'Method not allowed',
  invalidAdminToken: 'Invalid credentials. Token or User credentials required',
  unsupportedMediaType: 'Unsupported Media Type',
  contentTypeTwice: 'Content-Type header may only be specified once',
  multipartNoBoundary: 'Cannot parse multipart body: missing boundary',
  multipartInvalid: 'Cannot parse multipart body',
  mixedTagFilter: "invalid option (tags: invalid filter syntax: cannot mix ',' and '/')",
  changedOnDisk: 'the config file changed on disk since it was loaded: reload it (SIGHUP) or restart before writing through the Admin API',
} as const;

export const NOT_FOUND: ApiResult = { status: 404, body: { message: ADMIN_MESSAGES.notFound } };
export const METHOD_NOT_ALLOWED: ApiResult = { status: 405, body: { message: ADMIN_MESSAGES.methodNotAllowed } };

/** Lua-table rendering Kong uses in messages: `{key="x"}`, `{consumer=null,name="jwt",service={id="..."}}`. */
function luaTable(fields: Record<string, unknown>): string {
  const render = (v: unknown): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'object') return luaTable(v as Record<string, unknown>);
    return String(v);
  };
  return `{${Object.keys(fields)
    .sort()
    .map((k) => `${k}=${render(fields[k])}`)
    .join(',')}}`;
}

export function uniqueViolation(fields: Record<string, unknown>): ApiResult {
  return {
    status: 409,
    body: { code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '${luaTable(fields)}'`, fields },
  };
}

export function primaryKeyViolation(id: string): ApiResult {
  return {
    status: 409,
    body: { code: 3, name: 'primary key violation', message: `primary key violation on key '${luaTable({ id })}'`, fields: { id } },
  };
}

export function foreignKeyInvalid(field: string, ref: Record<string, unknown>, parent: Kind): ApiResult {
  return {
    status: 400,
    body: {
      code: 4,
      name: 'foreign key violation',
      message: `the foreign key '${luaTable(ref)}' does not reference an existing '${parent}' entity.`,
      fields: { [field]: ref },
    },
  };
}

export function foreignKeyRestricted(child: Kind, parent: Kind): ApiResult {
  return {
    status: 400,
    body: {
      code: 4,
      name: 'foreign key violation',
      message: `an existing '${child}' entity references this '${parent}' entity`,
      fields: { '@referenced_by': child },
    },
  };
}

export function badRequest(message: string): ApiResult {
  return { status: 400, body: { message } };
}

/** Splits a relative JSON path (`config.claims_to_verify`, `paths[1]`) into keys and indexes. */
function segments(rel: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rel)) !== null) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3]!) as string);
  }
  return out;
}

function setNested(target: Record<string, unknown>, segs: Array<string | number>, message: string): void {
  let node: Record<string | number, unknown> = target;
  segs.forEach((seg, i) => {
    if (i === segs.length - 1) {
      node[seg] = message;
      return;
    }
    const next = node[seg];
    if (typeof next !== 'object' || next === null) node[seg] = typeof segs[i + 1] === 'number' ? [] : {};
    node = node[seg] as Record<string | number, unknown>;
  });
}

function dotted(segs: Array<string | number>): string {
  return segs.join('.');
}

/**
 * Kong's 400 schema violation for one entity at `basePath`: entity-level errors under `@entity`,
 * field errors nested by path, the summary with entity errors first, then fields sorted by name.
 */
export function schemaViolation(errors: readonly ConfigError[], basePath: string, extraEntityErrors: readonly string[] = []): ApiResult {
  const fields: Record<string, unknown> = {};
  const entity: string[] = [...extraEntityErrors];
  const fieldLines: Array<[string, string]> = [];
  for (const e of errors) {
    if (e.path === basePath) {
      entity.push(e.message);
      continue;
    }
    const rel = e.path.startsWith(basePath) ? e.path.slice(basePath.length) : null;
    const segs = rel !== null && /^[.[]/.test(rel) ? segments(rel) : [];
    if (segs.length === 0) {
      entity.push(`${e.path}: ${e.message}`);
      continue;
    }
    setNested(fields, segs, e.message);
    fieldLines.push([dotted(segs), e.message]);
  }
  if (entity.length > 0) fields['@entity'] = entity;
  fieldLines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const parts = [...entity, ...fieldLines.map(([k, m]) => `${k}: ${m}`)];
  const message = parts.length === 1 ? `schema violation (${parts[0]})` : `${parts.length} schema violations (${parts.join('; ')})`;
  return { status: 400, body: { code: 2, name: 'schema violation', message, fields } };
}

/** `POST /config` rejection: every error nested by its path from the document root. */
export function declarativeInvalid(errors: readonly ConfigError[]): ApiResult {
  const fields: Record<string, unknown> = {};
  const flattened: Array<{ path: string; message: string }> = [];
  for (const e of errors) {
    const segs = segments(e.path.slice(1));
    if (segs.length === 0) fields['@entity'] = [...((fields['@entity'] as string[] | undefined) ?? []), e.message];
    else setNested(fields, segs, e.message);
    flattened.push({ path: e.path, message: e.message });
  }
  const summary = errors.map((e) => `${e.path}: ${e.message}`).join('; ');
  return {
    status: 400,
    body: {
      code: 14,
      name: 'invalid declarative configuration',
      message: `declarative config is invalid: ${summary}`,
      fields,
      flattened_errors: flattened,
    },
  };
}
