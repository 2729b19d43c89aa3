// The admin model's state (raw document + its validation) and the draft → validate → commit cycle every write goes through.
import { JWT_ALGORITHMS, type ConfigError, type JwtAlgorithm, type ValidatedConfig } from '../../config/types.js';
import { validateConfigDocument } from '../../config/load.js';
import type { Obj } from '../../config/validate-context.js';
import { requiresPublicKey } from '../../config/validate-keys.js';
import { KINDS, type Kind } from './kinds.js';
import { indexDocument, walkDocument, type RawEntry, type RawIndex } from './raw-index.js';
import { declarativeInvalid, schemaViolation, type ApiResult } from './kong-errors.js';

/** The document as the user wrote it, the config it validates to, and the index pairing the two. Never mutated. */
export interface AdminState {
  readonly doc: Obj;
  readonly config: ValidatedConfig;
  readonly index: RawIndex;
  readonly warnings: readonly ConfigError[];
}

function createAdminState(doc: Obj, config: ValidatedConfig, warnings: readonly ConfigError[] = []): AdminState {
  return { doc, config, index: indexDocument(doc, config), warnings };
}

/** Validates a whole document into a state; used at start-up, on file reload and by `POST /config`. */
export function stateFromDocument(doc: unknown): { ok: true; state: AdminState } | { ok: false; errors: ConfigError[] } {
  const v = validateConfigDocument(doc);
  if (!v.ok) return { ok: false, errors: v.errors };
  return { ok: true, state: createAdminState(doc as Obj, v.config, v.warnings) };
}

/** A deep copy of the document with an index still aligned to the old config; writes mutate it. */
export interface Draft {
  readonly doc: Obj;
  readonly idx: RawIndex;
}

export function makeDraft(state: AdminState): Draft {
  const doc = structuredClone(state.doc);
  const idx = indexDocument(doc, state.config);
  // A credential without key/secret gets random ones on every validation; the first write pins the running values.
  for (const e of idx.entries.jwt_secrets) {
    if (e.obj.key === undefined || e.obj.key === null) e.obj.key = e.entity.key;
    if ((e.obj.secret === undefined || e.obj.secret === null) && e.entity.secret !== null) e.obj.secret = e.entity.secret;
  }
  return { doc, idx };
}

/** Draft's entry for an entry of the state it was made from. */
export function inDraft<K extends Kind>(draft: Draft, entry: RawEntry<K>): RawEntry<K> {
  const e = draft.idx.byId(entry.kind, entry.entity.id);
  if (!e) throw new Error(`admin draft: ${entry.kind} ${entry.entity.id} missing`);
  return e;
}

/** Sets `obj.id` as its first key, keeping the object's identity. */
export function setId(obj: Obj, id: string): void {
  const rest = Object.entries(obj).filter(([k]) => k !== 'id');
  for (const k of Object.keys(obj)) delete obj[k];
  obj.id = id;
  for (const [k, v] of rest) obj[k] = v;
}

function findPath(doc: Obj, obj: Obj): { path: string; kind: Kind } | null {
  const walked = walkDocument(doc);
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const hit = (walked[kind] as Array<{ obj: Obj; path: string }>).find((e) => e.obj === obj);
    if (hit) return { path: hit.path, kind };
  }
  return null;
}

const CONDITIONAL = "failed conditional validation given value of field 'algorithm'";

function entityErrors(doc: Obj, errors: ConfigError[], target: Obj | null): ApiResult {
  const where = target ? findPath(doc, target) : null;
  if (!where) return declarativeInvalid(errors);
  const extra: string[] = [];
  if (where.kind === 'jwt_secrets') {
    const alg = target!.algorithm;
    const algorithm = (typeof alg === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(alg) ? alg : 'HS256') as JwtAlgorithm;
    if (requiresPublicKey(algorithm) && errors.some((e) => e.path === `${where.path}.rsa_public_key`)) extra.push(CONDITIONAL);
  }
  return schemaViolation(errors, where.path, extra);
}

export type CommitResult =
  | { ok: true; state: AdminState; target: RawEntry | null }
  | { ok: false; result: ApiResult; errors: ConfigError[] };

/**
 * Validates the draft. Entities whose derived id would change (a renamed endpoint key, a shifted JSON
 * path) get their old id written into the document, so ids stay stable across writes and restarts.
 */
export function commitDraft(draft: Draft, target: Obj | null): CommitResult {
  let v = validateConfigDocument(draft.doc);
  if (!v.ok) return { ok: false, result: entityErrors(draft.doc, v.errors, target), errors: v.errors };
  let idx = indexDocument(draft.doc, v.config);
  let pinned = false;
  for (const kind of Object.keys(KINDS) as Kind[]) {
    for (const e of idx.entries[kind] as RawEntry[]) {
      const old = draft.idx.byObj(e.obj);
      if (old && old.entity.id !== e.entity.id) {
        setId(e.obj, old.entity.id);
        pinned = true;
      }
    }
  }
  if (pinned) {
    v = validateConfigDocument(draft.doc);
    if (!v.ok) return { ok: false, result: entityErrors(draft.doc, v.errors, target), errors: v.errors };
    idx = indexDocument(draft.doc, v.config);
  }
  const state: AdminState = { doc: draft.doc, config: v.config, index: idx, warnings: v.warnings };
  return { ok: true, state, target: target ? (idx.byObj(target) ?? null) : null };
}
