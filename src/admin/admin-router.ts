// The Admin API as a pure function: (state, method, path, query, body) → status, JSON body and, for writes, the next state.
import { isObject, type Obj } from '../config/validate-context.js';
import { parseConfigText } from '../config/parse.js';
import { serializeDocument } from '../config/persist.js';
import { formatListener } from '../config/listen-spec.js';
import type { ListenerSpec } from '../config/types.js';
import { KINDS, type Kind } from './entities/kinds.js';
import type { RawEntry } from './entities/raw-index.js';
import { stateFromDocument, type AdminState } from './entities/admin-state.js';
import {
  createEntity,
  deleteEntity,
  updateEntity,
  upsertCreate,
  type Via,
  type WriteContext,
  type WriteResult,
} from './entities/entity-writes.js';
import {
  ADMIN_MESSAGES,
  declarativeInvalid,
  METHOD_NOT_ALLOWED,
  NOT_FOUND,
  schemaViolation,
  type ApiResult,
} from './entities/kong-errors.js';
import { pageList, serializeEntry } from './entities/serialize.js';
import { formToObject, type ParsedBody } from './body-parser.js';

export interface AdminRequest {
  method: string;
  /** Path without the query string, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  body: ParsedBody;
}

export interface AdminResponse extends ApiResult {
  /** Present when the request changed the config: the caller persists and applies it, then adopts it. */
  next?: AdminState;
}

export interface RouterOptions extends WriteContext {
  /** Extra fields of `GET /` (version, hostname, ...). */
  info?: () => Record<string, unknown>;
}

const COLLECTIONS: Readonly<Record<string, Kind>> = {
  services: 'services',
  routes: 'routes',
  plugins: 'plugins',
  consumers: 'consumers',
  jwts: 'jwt_secrets',
  certificates: 'certificates',
  snis: 'snis',
};

/** Nested collections: `/{parent}/{p}/{child}` with the child's foreign key field. */
const NESTED: Readonly<Record<string, Readonly<Record<string, { kind: Kind; field: string }>>>> = {
  services: { routes: { kind: 'routes', field: 'service' }, plugins: { kind: 'plugins', field: 'service' } },
  routes: { plugins: { kind: 'plugins', field: 'route' } },
  consumers: { jwt: { kind: 'jwt_secrets', field: 'consumer' } },
  certificates: { snis: { kind: 'snis', field: 'certificate' } },
};

/** `/{child}/{c}/{parent}`: the entity a child points to. */
const OWNER: Readonly<Record<string, Readonly<Record<string, { field: string; kind: Kind }>>>> = {
  routes: { service: { field: 'service', kind: 'services' } },
  jwts: { consumer: { field: 'consumer', kind: 'consumers' } },
  plugins: { service: { field: 'service', kind: 'services' }, route: { field: 'route', kind: 'routes' } },
  snis: { certificate: { field: 'certificate', kind: 'certificates' } },
};

function ok(status: number, body: unknown): AdminResponse {
  return { status, body };
}

function fromWrite(w: WriteResult, status: number): AdminResponse {
  if (!w.ok) return w.result;
  return { status, body: w.entry ? serializeEntry(w.entry) : null, next: w.state };
}

/** The request body as an object to write; null when it is JSON but not a record. */
function bodyObject(kind: Kind, body: ParsedBody): Obj | null {
  if (body === null) return {};
  if (body.type === 'form') return formToObject(body.pairs, KINDS[kind].fields);
  return isObject(body.value) ? body.value : null;
}

function notARecord(): ApiResult {
  return schemaViolation([{ path: '$', message: 'expected a record' }], '$');
}

function fkOf(entry: RawEntry, field: string): string | null {
  const v = (entry.entity as unknown as Obj)[field];
  return typeof v === 'string' && v !== '' ? v : null;
}

export function handleAdminRequest(state: AdminState, req: AdminRequest, opts: RouterOptions): AdminResponse {
  let segs: string[];
  try {
    segs = req.path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
  } catch {
    return NOT_FOUND;
  }
  const method = req.method.toUpperCase();
  const [a, b, c, d] = segs;
  if (segs.length === 0) return method === 'GET' ? ok(200, rootInfo(state, opts)) : METHOD_NOT_ALLOWED;
  if (segs.length === 1 && a === 'config') return configEndpoint(state, method, req);

  const kind = COLLECTIONS[a!];
  if (kind === undefined || segs.length > 4) return NOT_FOUND;
  if (segs.length === 1) return collection(state, method, req, kind, null, `/${a}`, opts);

  const parent = state.index.find(kind, b!);
  if (segs.length === 2) return entity(state, method, req, kind, b!, parent ?? null, null, opts);

  const nested = NESTED[a!]?.[c!];
  if (nested) {
    if (!parent) return NOT_FOUND;
    const via: Via = { field: nested.field, entry: parent };
    if (segs.length === 3) return collection(state, method, req, nested.kind, via, `/${a}/${b}/${c}`, opts);
    const child = state.index.find(nested.kind, d!);
    return entity(state, method, req, nested.kind, d!, child ?? null, via, opts);
  }
  const owner = OWNER[a!]?.[c!];
  if (owner && segs.length === 3) {
    if (method !== 'GET') return METHOD_NOT_ALLOWED;
    const id = parent ? fkOf(parent, owner.field) : null;
    const hit = id ? state.index.byId(owner.kind, id) : undefined;
    return hit ? ok(200, serializeEntry(hit)) : NOT_FOUND;
  }
  return NOT_FOUND;
}

function collection(
  state: AdminState,
  method: string,
  req: AdminRequest,
  kind: Kind,
  via: Via | null,
  basePath: string,
  ctx: WriteContext,
): AdminResponse {
  if (method === 'GET') {
    const all = state.index.entries[kind] as readonly RawEntry[];
    let entries = via ? all.filter((e) => fkOf(e, via.field) === via.entry.entity.id) : all;
    const tags = req.query.get('tags');
    if (tags !== null) {
      const match = tagFilter(tags);
      if (match === null) return { status: 400, body: { message: ADMIN_MESSAGES.mixedTagFilter } };
      entries = entries.filter((e) => match(e.entity.tags ?? []));
    }
    return pageList(entries, req.query, basePath);
  }
  if (method === 'POST') {
    const body = bodyObject(kind, req.body);
    if (body === null) return notARecord();
    return fromWrite(createEntity(state, kind, body, ctx, via), 201);
  }
  return METHOD_NOT_ALLOWED;
}

function entity(
  state: AdminState,
  method: string,
  req: AdminRequest,
  kind: Kind,
  segment: string,
  found: RawEntry | null,
  via: Via | null,
  ctx: WriteContext,
): AdminResponse {
  // Nested endpoints only see children of the parent in the path.
  const mine = found && (!via || fkOf(found, via.field) === via.entry.entity.id) ? found : null;
  switch (method) {
    case 'GET':
      return mine ? ok(200, serializeEntry(mine)) : NOT_FOUND;
    case 'DELETE':
      if (!mine) return via ? NOT_FOUND : { status: 204, body: null };
      return fromWrite(deleteEntity(state, mine), 204);
    case 'PATCH': {
      if (!mine) return NOT_FOUND;
      const body = bodyObject(kind, req.body);
      if (body === null) return notARecord();
      return fromWrite(updateEntity(state, mine, body, 'patch', ctx, via), 200);
    }
    case 'PUT': {
      const body = bodyObject(kind, req.body);
      if (body === null) return notARecord();
      if (found) return fromWrite(updateEntity(state, found, body, 'put', ctx, via, segment), 200);
      return fromWrite(upsertCreate(state, kind, segment, body, ctx, via), 200);
    }
    default:
      return METHOD_NOT_ALLOWED;
  }
}

/** Kong's `?tags=` filter: `a,b` needs every tag, `a/b` any of them. */
function tagFilter(text: string): ((tags: readonly string[]) => boolean) | null {
  if (text.includes(',') && text.includes('/')) return null;
  if (text.includes('/')) {
    const any = text.split('/');
    return (tags) => any.some((t) => tags.includes(t));
  }
  const all = text.split(',');
  return (tags) => all.every((t) => tags.includes(t));
}

function rootInfo(state: AdminState, options: RouterOptions): Record<string, unknown> {
  const g = state.config.gateway;
  const listen = (specs: readonly ListenerSpec[] | null) => (specs === null ? [] : specs.map(formatListener));
  return {
    tagline: 'Welcome to portcullis',
    ...(options.info?.() ?? {}),
    plugins: {
      available_on_server: { jwt: { priority: 1450 } },
      enabled_in_cluster: state.config.plugins.length > 0 ? ['jwt'] : [],
    },
    configuration: {
      database: 'off',
      proxy_listen: listen(g.proxy_listen),
      admin_listen: listen(g.admin_listen),
    },
  };
}

/** Kong's DB-less `/config`: GET shows the document, POST replaces it (the `gateway` section is kept when omitted). */
function configEndpoint(state: AdminState, method: string, req: AdminRequest): AdminResponse {
  if (method === 'GET') return ok(200, { config: serializeDocument(state.doc, 'yaml') });
  if (method !== 'POST') return METHOD_NOT_ALLOWED;
  let doc: unknown;
  const body = req.body;
  const fromText = (text: string): ApiResult | null => {
    const parsed = parseConfigText(text, 'yaml');
    if (!parsed.ok) return declarativeInvalid(parsed.errors);
    doc = parsed.value;
    return null;
  };
  if (body === null) return declarativeInvalid([{ path: '$', message: "expected a declarative configuration in 'config'" }]);
  if (body.type === 'form') {
    const text = body.pairs.find(([k]) => k === 'config')?.[1];
    if (text === undefined) return declarativeInvalid([{ path: '$', message: "expected a declarative configuration in 'config'" }]);
    const err = fromText(text);
    if (err) return err;
  } else if (isObject(body.value) && typeof body.value.config === 'string' && body.value._format_version === undefined) {
    const err = fromText(body.value.config);
    if (err) return err;
  } else if (isObject(body.value) && isObject(body.value.config) && body.value._format_version === undefined) {
    doc = body.value.config;
  } else {
    doc = body.value;
  }
  if (isObject(doc) && doc.gateway === undefined && state.doc.gateway !== undefined) {
    const { _format_version, ...rest } = doc;
    doc =
      _format_version === undefined ? { gateway: state.doc.gateway, ...rest } : { _format_version, gateway: state.doc.gateway, ...rest };
  }
  const next = stateFromDocument(doc);
  if (!next.ok) return declarativeInvalid(next.errors);
  const flat: Record<string, unknown> = {};
  for (const kind of Object.keys(KINDS) as Kind[]) flat[kind] = (next.state.index.entries[kind] as RawEntry[]).map(serializeEntry);
  return { status: 201, body: flat, next: next.state };
}
