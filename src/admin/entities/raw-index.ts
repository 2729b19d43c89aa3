// Indexes the entries of the user's raw document in the validator's order, pairing each raw object with its validated entity.
import type {
  CertificateEntity,
  ConsumerEntity,
  JwtSecretEntity,
  PluginEntity,
  RouteEntity,
  ServiceEntity,
  SniEntity,
  ValidatedConfig,
} from '../../config/types.js';
import { isUuid } from '../../config/ids.js';
import { childPath, isObject, type Obj } from '../../config/validate-context.js';
import { KINDS, type Kind } from './kinds.js';

export interface EntityOf {
  services: ServiceEntity;
  routes: RouteEntity;
  plugins: PluginEntity;
  consumers: ConsumerEntity;
  jwt_secrets: JwtSecretEntity;
  certificates: CertificateEntity;
  snis: SniEntity;
}
export type AnyEntity = EntityOf[Kind];

export interface RawEntry<K extends Kind = Kind> {
  kind: K;
  /** The entry as the user wrote it (mutating it edits the document). */
  obj: Obj;
  /** The array that holds `obj`. */
  list: unknown[];
  /** JSON path of `obj`, as the validator reports it. */
  path: string;
  /** The entry this one is nested in (its implied parent), null at top level. */
  nestedIn: RawEntry | null;
  /** The validated entity (ids resolved, defaults applied); set by `indexDocument`. */
  entity: EntityOf[K];
}

export interface RawIndex {
  readonly entries: { readonly [K in Kind]: ReadonlyArray<RawEntry<K>> };
  byObj(obj: Obj): RawEntry | undefined;
  /** Kong's rule: a UUID segment is an id, anything else the endpoint key. */
  find<K extends Kind>(kind: K, idOrKey: string): RawEntry<K> | undefined;
  byId<K extends Kind>(kind: K, id: string): RawEntry<K> | undefined;
}

type Walked = { [K in Kind]: Array<Omit<RawEntry<K>, 'entity'>> };

function arrayAt(owner: Obj, key: string): unknown[] | null {
  const v = owner[key];
  return Array.isArray(v) ? v : null;
}

/** Lists every entry of the document with its path, in the order `flattenDocument` validates them. */
export function walkDocument(doc: Obj): Walked {
  const out: Walked = { services: [], routes: [], plugins: [], consumers: [], jwt_secrets: [], certificates: [], snis: [] };
  const each = (owner: Obj, ownerPath: string, key: string, fn: (obj: Obj, list: unknown[], path: string) => void) => {
    const list = arrayAt(owner, key);
    if (!list) return;
    const base = childPath(ownerPath, key);
    list.forEach((obj, i) => {
      if (isObject(obj)) fn(obj, list, childPath(base, i));
    });
  };
  const plugins = (owner: Obj, ownerPath: string, nestedIn: RawEntry | null) =>
    each(owner, ownerPath, 'plugins', (obj, list, path) => out.plugins.push({ kind: 'plugins', obj, list, path, nestedIn }));
  const routes = (owner: Obj, ownerPath: string, nestedIn: RawEntry | null) =>
    each(owner, ownerPath, 'routes', (obj, list, path) => {
      const e = { kind: 'routes' as const, obj, list, path, nestedIn };
      out.routes.push(e);
      plugins(obj, path, e as RawEntry);
    });
  each(doc, '$', 'services', (obj, list, path) => {
    const e = { kind: 'services' as const, obj, list, path, nestedIn: null };
    out.services.push(e);
    routes(obj, path, e as RawEntry);
    plugins(obj, path, e as RawEntry);
  });
  routes(doc, '$', null);
  plugins(doc, '$', null);
  each(doc, '$', 'consumers', (obj, list, path) => {
    const e = { kind: 'consumers' as const, obj, list, path, nestedIn: null };
    out.consumers.push(e);
    each(obj, path, 'jwt_secrets', (o, l, p) =>
      out.jwt_secrets.push({ kind: 'jwt_secrets', obj: o, list: l, path: p, nestedIn: e as RawEntry }),
    );
  });
  each(doc, '$', 'jwt_secrets', (obj, list, path) => out.jwt_secrets.push({ kind: 'jwt_secrets', obj, list, path, nestedIn: null }));
  each(doc, '$', 'certificates', (obj, list, path) => {
    const e = { kind: 'certificates' as const, obj, list, path, nestedIn: null };
    out.certificates.push(e);
    // A nested SNI may be a bare name (Kong's shorthand): it becomes a record so it can be indexed and edited.
    const names = arrayAt(obj, 'snis');
    names?.forEach((n, i) => {
      if (typeof n === 'string') names[i] = { name: n };
    });
    each(obj, path, 'snis', (o, l, p) => out.snis.push({ kind: 'snis', obj: o, list: l, path: p, nestedIn: e as RawEntry }));
  });
  each(doc, '$', 'snis', (obj, list, path) => out.snis.push({ kind: 'snis', obj, list, path, nestedIn: null }));
  return out;
}

/** Pairs a document with the ValidatedConfig it produced; throws if they do not line up (a bug, not user input). */
export function indexDocument(doc: Obj, config: ValidatedConfig): RawIndex {
  const walked = walkDocument(doc);
  const entries = walked as unknown as { [K in Kind]: Array<RawEntry<K>> };
  const objMap = new Map<Obj, RawEntry>();
  const ids = new Map<Kind, Map<string, RawEntry>>();
  const keys = new Map<Kind, Map<string, RawEntry>>();
  for (const kind of Object.keys(KINDS) as Kind[]) {
    const list = entries[kind] as RawEntry[];
    const validated = (config[kind] ?? []) as AnyEntity[];
    if (list.length !== validated.length) {
      throw new Error(`admin index: ${kind} has ${list.length} raw entries but ${validated.length} validated`);
    }
    const idMap = new Map<string, RawEntry>();
    const keyMap = new Map<string, RawEntry>();
    const keyField = KINDS[kind].endpointKey;
    list.forEach((e, i) => {
      e.entity = validated[i]!;
      objMap.set(e.obj, e);
      idMap.set(e.entity.id, e);
      const k = keyField ? (e.entity as unknown as Record<string, unknown>)[keyField] : null;
      if (typeof k === 'string') keyMap.set(k, e);
    });
    ids.set(kind, idMap);
    keys.set(kind, keyMap);
  }
  return {
    entries,
    byObj: (obj) => objMap.get(obj),
    byId: <K extends Kind>(kind: K, id: string) => ids.get(kind)!.get(id.toLowerCase()) as RawEntry<K> | undefined,
    find: <K extends Kind>(kind: K, v: string) =>
      (isUuid(v) ? ids.get(kind)!.get(v.toLowerCase()) : keys.get(kind)!.get(v)) as RawEntry<K> | undefined,
  };
}
