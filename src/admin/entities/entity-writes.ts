// Kong entity writes (create, upsert, patch, delete) applied to the user's raw document, keeping its structure.
import { randomUUID } from 'node:crypto';
import { isUuid, randomAlphanumeric32 } from '../../config/ids.js';
import { isObject, type Obj } from '../../config/validate-context.js';
import { parseServiceUrl } from '../../config/validate-entities.js';
import { childrenOf, KINDS, type ForeignKey, type Kind } from './kinds.js';
import type { RawEntry } from './raw-index.js';
import { commitDraft, inDraft, makeDraft, setId, type AdminState, type CommitResult, type Draft } from './admin-state.js';
import {
  foreignKeyInvalid,
  foreignKeyRestricted,
  NOT_FOUND,
  primaryKeyViolation,
  schemaViolation,
  uniqueViolation,
  type ApiResult,
} from './kong-errors.js';

export interface WriteContext {
  /** Unix seconds, stored as created_at / updated_at. */
  now(): number;
}

/** A parent fixed by the URL (`/consumers/bob/jwt`): it wins over the body. */
export interface Via {
  field: string;
  entry: RawEntry;
}

export type WriteResult = { ok: true; state: AdminState; entry: RawEntry | null } | { ok: false; result: ApiResult };

type Parents = Map<ForeignKey, RawEntry | null>;

function fail(result: ApiResult): WriteResult {
  return { ok: false, result };
}

function done(c: CommitResult): WriteResult {
  return c.ok ? { ok: true, state: c.state, entry: c.target } : { ok: false, result: c.result };
}

function fieldError(field: string, message: string): ApiResult {
  return schemaViolation([{ path: `$.${field}`, message }], '$');
}

/** Resolves a foreign reference as Kong takes it: `{"id": ...}`, `{"name"|"username": ...}`, or a bare id/key string. */
function resolveRef(draft: Draft, fk: ForeignKey, value: unknown): RawEntry | null | ApiResult {
  if (value === null) return null;
  const keyField = KINDS[fk.parent].endpointKey;
  let lookup: string | null = null;
  let shown: Record<string, unknown> = {};
  if (typeof value === 'string') {
    lookup = value;
    shown = isUuid(value) ? { id: value } : { [keyField ?? 'id']: value };
  } else if (isObject(value)) {
    if (typeof value.id === 'string') {
      lookup = value.id;
      shown = { id: value.id };
    } else if (keyField && typeof value[keyField] === 'string') {
      lookup = value[keyField] as string;
      shown = { [keyField]: lookup };
    }
  }
  if (lookup === null) return fieldError(fk.field, 'expected a record with an id');
  return draft.idx.find(fk.parent, lookup) ?? foreignKeyInvalid(fk.field, shown, fk.parent);
}

function refValue(entry: RawEntry): string {
  const keyField = KINDS[entry.kind].endpointKey;
  const key = keyField ? (entry.entity as unknown as Obj)[keyField] : null;
  return typeof key === 'string' ? key : entry.entity.id;
}

/** Reads the body's foreign keys (path parent first), removing them from `input`. */
function readParents(draft: Draft, kind: Kind, input: Obj, via: Via | null, keep: RawEntry | null): Parents | ApiResult {
  const parents: Parents = new Map();
  for (const fk of KINDS[kind].foreignKeys) {
    if (via && via.field === fk.field) {
      parents.set(fk, inDraft(draft, via.entry));
    } else if (Object.hasOwn(input, fk.field)) {
      const r = resolveRef(draft, fk, input[fk.field]);
      if (r !== null && !('obj' in r)) return r;
      parents.set(fk, r);
    } else if (keep) {
      const id = (keep.entity as unknown as Obj)[fk.field];
      parents.set(fk, typeof id === 'string' && id !== '' ? (draft.idx.byId(fk.parent, id) ?? null) : null);
    } else {
      parents.set(fk, null);
    }
    delete input[fk.field];
  }
  return parents;
}

/** Kong's shorthand: a certificate body may list its SNI names (`"snis": ["a.example.com"]`). */
function sniShorthand(kind: Kind, k: string, input: Obj): boolean {
  return kind === 'certificates' && k === 'snis' && Array.isArray(input.snis) && input.snis.every((n) => typeof n === 'string');
}

/** Nested collections belong to other entities; in a body they are unknown fields. */
function rejectNested(kind: Kind, input: Obj): ApiResult | null {
  const errors = childrenOf(kind)
    .map((c) => c.kind as string)
    .filter((k) => Object.hasOwn(input, k) && !sniShorthand(kind, k, input));
  return errors.length === 0
    ? null
    : schemaViolation(
        errors.map((k) => ({ path: `$.${k}`, message: 'unknown field' })),
        '$',
      );
}

function checkUnique(draft: Draft, kind: Kind, obj: Obj, parents: Parents, self: RawEntry | null): ApiResult | null {
  const def = KINDS[kind];
  for (const field of [def.endpointKey, def.alsoUnique]) {
    if (field === null || typeof obj[field] !== 'string') continue;
    const clash = (draft.idx.entries[kind] as RawEntry[]).find((e) => e !== self && (e.entity as unknown as Obj)[field] === obj[field]);
    if (clash) return uniqueViolation({ [field]: obj[field] });
  }
  if (kind === 'plugins' && obj.name === 'jwt') {
    const ids = [...parents.entries()].map(([fk, e]) => [fk.field, e?.entity.id ?? null] as const);
    const service = ids.find(([f]) => f === 'service')?.[1] ?? null;
    const route = ids.find(([f]) => f === 'route')?.[1] ?? null;
    const clash = draft.idx.entries.plugins.find((e) => e !== self && e.entity.service === service && e.entity.route === route);
    if (clash) {
      return uniqueViolation({ consumer: null, name: 'jwt', route: route && { id: route }, service: service && { id: service } });
    }
  }
  return null;
}

/** Nests `obj` in its only parent's entry, or appends it at top level with references by endpoint key. */
function place(draft: Draft, kind: Kind, obj: Obj, parents: Parents): void {
  const set = [...parents.entries()].filter((p): p is [ForeignKey, RawEntry] => p[1] !== null);
  for (const fk of KINDS[kind].foreignKeys) delete obj[fk.field];
  if (set.length === 1) {
    const owner = set[0]![1].obj;
    if (!Array.isArray(owner[kind])) owner[kind] = [];
    (owner[kind] as unknown[]).push(obj);
    return;
  }
  for (const [fk, e] of set) obj[fk.field] = refValue(e);
  if (!Array.isArray(draft.doc[kind])) draft.doc[kind] = [];
  (draft.doc[kind] as unknown[]).push(obj);
}

/** After a PUT cleared the entry: nested entries name no parent, top-level ones name theirs by endpoint key. */
function refreshRefs(entry: RawEntry, parents: Parents): void {
  for (const [fk, e] of parents) {
    if (e === null || entry.nestedIn !== null) delete entry.obj[fk.field];
    else entry.obj[fk.field] = refValue(e);
  }
}

function unplace(entry: RawEntry): void {
  const i = entry.list.indexOf(entry.obj);
  if (i >= 0) entry.list.splice(i, 1);
  const owner = entry.nestedIn?.obj;
  if (owner && Array.isArray(owner[entry.kind]) && (owner[entry.kind] as unknown[]).length === 0) delete owner[entry.kind];
}

/** Orders a new entry: id, endpoint key, the rest as given, timestamps last. */
function ordered(kind: Kind, input: Obj): Obj {
  const keyField = KINDS[kind].endpointKey;
  const out: Obj = {};
  if (input.id !== undefined) out.id = input.id;
  if (keyField && input[keyField] !== undefined) out[keyField] = input[keyField];
  for (const [k, v] of Object.entries(input)) if (!(k in out) && k !== 'created_at' && k !== 'updated_at') out[k] = v;
  if (input.created_at !== undefined) out.created_at = input.created_at;
  if (input.updated_at !== undefined) out.updated_at = input.updated_at;
  return out;
}

function generateCredentialFields(input: Obj): void {
  // An OIDC credential's key defaults to its issuer (the token's iss), as in the file.
  if (input.key === undefined || input.key === null)
    input.key = typeof input.oidc_issuer === 'string' ? input.oidc_issuer : randomAlphanumeric32();
  if (input.secret === undefined || input.secret === null) input.secret = randomAlphanumeric32();
}

export function createEntity(state: AdminState, kind: Kind, body: Obj, ctx: WriteContext, via: Via | null = null): WriteResult {
  const draft = makeDraft(state);
  const input: Obj = { ...body };
  const nested = rejectNested(kind, input);
  if (nested) return fail(nested);
  const parents = readParents(draft, kind, input, via, null);
  if (!(parents instanceof Map)) return fail(parents);
  if (kind === 'jwt_secrets') {
    if (!parents.get(KINDS.jwt_secrets.foreignKeys[0]!)) return fail(fieldError('consumer', 'required field missing'));
    generateCredentialFields(input);
  }
  if (typeof input.id === 'string' && isUuid(input.id)) {
    if (draft.idx.byId(kind, input.id)) return fail(primaryKeyViolation(input.id.toLowerCase()));
    input.id = input.id.toLowerCase();
  }
  const clash = checkUnique(draft, kind, input, parents, null);
  if (clash) return fail(clash);
  const now = ctx.now();
  if (input.created_at === undefined) input.created_at = now;
  if (KINDS[kind].updatedAt && input.updated_at === undefined) input.updated_at = input.created_at;
  const obj = ordered(kind, input);
  place(draft, kind, obj, parents);
  const c = commitDraft(draft, obj);
  // A derived id can collide with an id an earlier rename pinned; a random explicit id then fixes it.
  if (!c.ok && obj.id === undefined && c.errors.some((e) => e.message.includes('entity with id set to'))) {
    setId(obj, randomUUID());
    return done(commitDraft(draft, obj));
  }
  return done(c);
}

/** PUT with a segment that matches nothing: create, with the id or endpoint key taken from the path. */
export function upsertCreate(state: AdminState, kind: Kind, segment: string, body: Obj, ctx: WriteContext, via: Via | null): WriteResult {
  const input: Obj = { ...body };
  const keyField = KINDS[kind].endpointKey;
  if (isUuid(segment)) input.id = segment;
  else if (keyField) input[keyField] = segment;
  else return fail(NOT_FOUND);
  return createEntity(state, kind, input, ctx, via);
}

/** The service shorthand `url` and its parts exclude each other: a patch to one side converts the other. */
function patchServiceUrl(obj: Obj, input: Obj): void {
  const parts = ['protocol', 'host', 'port', 'path'];
  if (input.url !== undefined && input.url !== null) {
    for (const p of parts) if (!(p in input)) delete obj[p];
  } else if (parts.some((p) => p in input) && typeof obj.url === 'string') {
    const parsed = parseServiceUrl(obj.url);
    if (typeof parsed === 'string') return;
    delete obj.url;
    Object.assign(obj, { protocol: parsed.protocol, host: parsed.host, port: parsed.port });
    if (parsed.path !== null) obj.path = parsed.path;
  }
}

/** PATCH (merge; `config` merged key by key) or PUT (replace; nested children and created_at kept). */
export function updateEntity(
  state: AdminState,
  entry: RawEntry,
  body: Obj,
  mode: 'patch' | 'put',
  ctx: WriteContext,
  via: Via | null = null,
  segment: string | null = null,
): WriteResult {
  const kind = entry.kind;
  const draft = makeDraft(state);
  const target = inDraft(draft, entry);
  const obj = target.obj;
  const input: Obj = { ...body };
  delete input.id;
  const nested = rejectNested(kind, input);
  if (nested) return fail(nested);
  const parents = readParents(draft, kind, input, via, mode === 'patch' ? target : null);
  if (!(parents instanceof Map)) return fail(parents);
  if (kind === 'jwt_secrets' && !parents.get(KINDS.jwt_secrets.foreignKeys[0]!))
    return fail(fieldError('consumer', 'required field missing'));
  const keyField = KINDS[kind].endpointKey;
  const oldKey = keyField ? (target.entity as unknown as Obj)[keyField] : null;

  if (mode === 'put') {
    const keep = new Set<string>(['id', 'created_at', '_comment', ...childrenOf(kind).map((c) => c.kind as string)]);
    for (const k of Object.keys(obj)) if (!keep.has(k)) delete obj[k];
    for (const [k, v] of Object.entries(input)) if (k !== 'created_at') obj[k] = v;
    if (segment !== null && keyField && !isUuid(segment)) obj[keyField] = segment;
    if (kind === 'jwt_secrets') generateCredentialFields(obj);
  } else {
    if (kind === 'services') patchServiceUrl(obj, input);
    for (const [k, v] of Object.entries(input)) {
      if (k === 'config' && isObject(v) && isObject(obj.config)) obj.config = { ...obj.config, ...v };
      else obj[k] = v;
    }
  }
  if (KINDS[kind].updatedAt) obj.updated_at = ctx.now();
  const clash = checkUnique(draft, kind, obj, parents, target);
  if (clash) return fail(clash);

  const newKey = keyField ? obj[keyField] : null;
  if (typeof oldKey === 'string' && newKey !== oldKey)
    renameReferences(draft, kind, oldKey, typeof newKey === 'string' ? newKey : target.entity.id);

  const moved = KINDS[kind].foreignKeys.some((fk) => {
    const cur = (target.entity as unknown as Obj)[fk.field];
    const next = parents.get(fk)?.entity.id ?? null;
    return (cur === '' ? null : (cur ?? null)) !== next;
  });
  if (moved) {
    unplace(target);
    place(draft, kind, obj, parents);
  } else if (mode === 'put') {
    refreshRefs(target, parents);
  }
  return done(commitDraft(draft, obj));
}

/** Top-level children that name the parent by its old endpoint key follow the rename. */
function renameReferences(draft: Draft, parent: Kind, oldKey: string, newRef: string): void {
  for (const { kind, fk } of childrenOf(parent)) {
    for (const e of draft.idx.entries[kind] as RawEntry[]) {
      const v = e.obj[fk.field];
      if (v === oldKey) e.obj[fk.field] = newRef;
      else if (isObject(v) && v.id === oldKey) e.obj[fk.field] = { id: newRef };
    }
  }
}

/** Deletes an entity; children cascade (plugins, credentials) or block the delete (routes of a service). */
export function deleteEntity(state: AdminState, entry: RawEntry): WriteResult {
  const draft = makeDraft(state);
  const doomed = new Set<RawEntry>();
  const stack = [inDraft(draft, entry)];
  while (stack.length > 0) {
    const e = stack.pop()!;
    doomed.add(e);
    for (const { kind, fk } of childrenOf(e.kind)) {
      for (const c of draft.idx.entries[kind] as RawEntry[]) {
        if ((c.entity as unknown as Obj)[fk.field] !== e.entity.id || doomed.has(c)) continue;
        if (fk.onDelete === 'restrict') return fail(foreignKeyRestricted(kind, e.kind));
        stack.push(c);
      }
    }
  }
  for (const e of doomed) unplace(e);
  return done(commitDraft(draft, null));
}
