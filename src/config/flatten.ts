// Validates a parsed document in phases: header, entities (nesting flattened), derived ids, uniqueness, references.
import type { ConsumerEntity, PluginEntity, RouteEntity, ServiceEntity, ValidatedDocument, ValidatedJwtSecret } from './types.js';
import { FIELDS, FORMAT_VERSIONS } from './fields.js';
import { isUuid, uuidV5 } from './ids.js';
import { checkFields, childPath, has, isObject, type Obj, type Sink } from './validate-context.js';
import { warnGrpcServing } from './validate-protocols.js';
import { readRef, validateConsumer, validateJwtSecret, validateRoute, validateService, type RawRef } from './validate-entities.js';
import { validateGateway } from './validate-gateway.js';
import { validatePlugin, type PluginFields } from './validate-plugin.js';
import { flattenTls } from './flatten-tls.js';

export interface Item<E> {
  e: E;
  path: string;
  idGiven: boolean;
}
interface RouteItem extends Item<RouteEntity> {
  parent: Item<ServiceEntity> | null;
  ref: RawRef | null;
}
interface PluginItem {
  f: PluginFields;
  path: string;
  service: Item<ServiceEntity> | null;
  route: RouteItem | null;
  serviceRef: RawRef | null;
  routeRef: RawRef | null;
}
interface SecretItem extends Item<ValidatedJwtSecret> {
  parent: Item<ConsumerEntity> | null;
  ref: RawRef | null;
}

export function list(sink: Sink, obj: Obj, key: string, path: string): Array<{ raw: unknown; path: string }> {
  if (!has(obj, key) || obj[key] === null) return [];
  const p = childPath(path, key);
  const v = obj[key];
  if (!Array.isArray(v)) {
    sink.error(p, 'expected an array');
    return [];
  }
  return v.map((raw, i) => ({ raw, path: childPath(p, i) }));
}

interface Collected {
  services: Item<ServiceEntity>[];
  routes: RouteItem[];
  plugins: PluginItem[];
  consumers: Item<ConsumerEntity>[];
  secrets: SecretItem[];
}

/**
 * Validates a parsed document into a ValidatedDocument; errors and warnings go to the sink. Deterministic (the same
 * document always gives the same result): a credential's missing key or secret is generated later, by
 * generate-secrets.ts. The phases, in order: header, entities (nesting flattened), ids, uniqueness, references.
 */
export function flattenDocument(sink: Sink, doc: unknown): ValidatedDocument | null {
  if (!isObject(doc)) {
    sink.error('$', 'expected a record');
    return null;
  }
  checkHeader(sink, doc);
  const gateway = validateGateway(sink, doc.gateway, '$.gateway');
  const c = collectEntities(sink, doc, formatVersion(sink, doc));
  deriveIds(c);
  checkUniqueness(sink, c);
  const plugins = resolveReferences(sink, c);
  const protocolOf = new Map(c.services.map((s) => [s.e.id, s.e.protocol]));
  warnGrpcServing(sink, gateway.proxy_listen, c.routes, (id) => protocolOf.get(id));
  const tls = flattenTls(sink, doc);
  return {
    _format_version: '3.0',
    gateway,
    services: c.services.map((s) => s.e),
    routes: c.routes.map((r) => r.e),
    plugins,
    consumers: c.consumers.map((x) => x.e),
    jwt_secrets: c.secrets.map((s) => s.e),
    ...tls,
  };
}

/** Phase 1: the root's fields and `_transform`. */
function checkHeader(sink: Sink, doc: Obj): void {
  checkFields(sink, doc, '$', FIELDS.root);
  if (has(doc, '_transform') && typeof doc._transform !== 'boolean') sink.error('$._transform', 'expected a boolean');
}

/** `_format_version` (required); '3.0' stands in when it is missing or wrong, so the rest is still checked. */
function formatVersion(sink: Sink, doc: Obj): string {
  if (!has(doc, '_format_version') || doc._format_version === null) sink.error('$._format_version', 'required field missing');
  else if (typeof doc._format_version !== 'string') sink.error('$._format_version', 'expected a string');
  else if (!(FORMAT_VERSIONS as readonly string[]).includes(doc._format_version)) {
    sink.error('$._format_version', `expected one of: ${FORMAT_VERSIONS.join(', ')}`);
  } else return doc._format_version;
  return '3.0';
}

/** Phase 2: every entity validated on its own, nested ones flattened with their parent and raw references kept. */
function collectEntities(sink: Sink, doc: Obj, version: string): Collected {
  const c: Collected = { services: [], routes: [], plugins: [], consumers: [], secrets: [] };
  const addPlugins = (owner: Obj, ownerPath: string, service: Item<ServiceEntity> | null, route: RouteItem | null) => {
    for (const { raw, path } of list(sink, owner, 'plugins', ownerPath)) {
      if (!isObject(raw)) {
        sink.error(path, 'expected a record');
        continue;
      }
      const nested = service !== null || route !== null;
      const serviceRef = readRef(sink, raw, path, 'service', nested);
      const routeRef = readRef(sink, raw, path, 'route', nested);
      const f = validatePlugin(sink, raw, path);
      if (f) c.plugins.push({ f, path, service, route, serviceRef, routeRef });
    }
  };
  const addRoutes = (owner: Obj, ownerPath: string, parent: Item<ServiceEntity> | null) => {
    for (const { raw, path } of list(sink, owner, 'routes', ownerPath)) {
      const e = validateRoute(sink, raw, path, { formatVersion: version });
      if (!e) continue;
      const ref = readRef(sink, raw as Obj, path, 'service', parent !== null);
      const item: RouteItem = { e, path, idGiven: e.id !== '', parent, ref };
      c.routes.push(item);
      addPlugins(raw as Obj, path, null, item);
    }
  };
  for (const { raw, path } of list(sink, doc, 'services', '$')) {
    const e = validateService(sink, raw, path);
    if (!e) continue;
    const item = { e, path, idGiven: e.id !== '' };
    c.services.push(item);
    addRoutes(raw as Obj, path, item);
    addPlugins(raw as Obj, path, item, null);
  }
  addRoutes(doc, '$', null);
  addPlugins(doc, '$', null, null);

  const addSecrets = (owner: Obj, ownerPath: string, parent: Item<ConsumerEntity> | null) => {
    for (const { raw, path } of list(sink, owner, 'jwt_secrets', ownerPath)) {
      const e = validateJwtSecret(sink, raw, path);
      if (!e) continue;
      const ref = readRef(sink, raw as Obj, path, 'consumer', parent !== null);
      if (parent === null && ref === null && (raw as Obj).consumer == null)
        sink.error(childPath(path, 'consumer'), 'required field missing');
      if (e.key === null) {
        sink.warn(childPath(path, 'key'), "no 'key' given: generated a random one, which changes on every load (set 'key')");
      }
      if (e.secret === null && e.algorithm.startsWith('HS')) {
        sink.warn(childPath(path, 'secret'), "no 'secret' given: generated a random one, which changes on every load (set 'secret')");
      }
      c.secrets.push({ e, path, idGiven: e.id !== '', parent, ref });
    }
  };
  for (const { raw, path } of list(sink, doc, 'consumers', '$')) {
    const e = validateConsumer(sink, raw, path);
    if (!e) continue;
    const item = { e, path, idGiven: e.id !== '' };
    c.consumers.push(item);
    addSecrets(raw as Obj, path, item);
    for (const { raw: p, path: pp } of list(sink, raw as Obj, 'plugins', path)) {
      const name = isObject(p) ? p.name : undefined;
      if (name === 'jwt') sink.error(pp, "plugin 'jwt' cannot be scoped to a consumer (consumer: value must be null)");
      else sink.error(childPath(pp, 'name'), `plugin '${String(name)}' is not supported by portcullis (supported: jwt)`);
    }
  }
  addSecrets(doc, '$', null);
  return c;
}

/**
 * Phase 3: explicit ids are kept; the rest derive from the endpoint key, or the JSON path when there is none
 * (a credential whose key is generated later included, so its id is the same on every load).
 */
function deriveIds(c: Collected): void {
  for (const s of c.services) if (!s.idGiven) s.e.id = uuidV5(`services:${s.e.name ?? `@${s.path}`}`);
  for (const r of c.routes) if (!r.idGiven) r.e.id = uuidV5(`routes:${r.e.name ?? `@${r.path}`}`);
  for (const x of c.consumers) {
    if (!x.idGiven)
      x.e.id = uuidV5(x.e.username !== null ? `consumers:${x.e.username}` : `consumers:custom_id:${x.e.custom_id ?? `@${x.path}`}`);
  }
  for (const s of c.secrets) if (!s.idGiven) s.e.id = uuidV5(`jwt_secrets:${s.e.key ?? `@${s.path}`}`);
}

/** Phase 4: endpoint keys and ids unique per collection. */
function checkUniqueness(sink: Sink, c: Collected): void {
  unique(sink, 'services', c.services, 'name', (s) => s.e.name);
  uniqueIds(sink, 'services', c.services);
  unique(sink, 'routes', c.routes, 'name', (r) => r.e.name);
  uniqueIds(sink, 'routes', c.routes);
  unique(sink, 'consumers', c.consumers, 'username', (x) => x.e.username);
  unique(sink, 'consumers', c.consumers, 'custom_id', (x) => x.e.custom_id);
  uniqueIds(sink, 'consumers', c.consumers);
  unique(sink, 'jwt_secrets', c.secrets, 'key', (s) => s.e.key);
  uniqueIds(sink, 'jwt_secrets', c.secrets);
}

/** Phase 5: references (nesting or `service:`/`route:`/`consumer:` by key or id) become ids; one jwt plugin per scope. */
function resolveReferences(sink: Sink, c: Collected): PluginEntity[] {
  const findService = lookup(c.services, (s) => s.e.name);
  const findRoute = lookup(c.routes, (r) => r.e.name);
  const findConsumer = lookup(c.consumers, (x) => x.e.username);
  const resolve = <T extends Item<unknown>>(find: (v: string) => T | undefined, ref: RawRef, field: string, coll: string) => {
    const hit = find(ref.value);
    if (!hit) sink.error(ref.path, `invalid reference '${field}: ${ref.value}' (no such entry in '${coll}')`);
    return hit ?? null;
  };

  for (const r of c.routes) {
    if (r.parent) r.e.service = r.parent.e.id;
    else if (r.ref) r.e.service = resolve(findService, r.ref, 'service', 'services')?.e.id ?? null;
  }
  for (const s of c.secrets) {
    if (s.parent) s.e.consumer = s.parent.e.id;
    else if (s.ref) s.e.consumer = resolve(findConsumer, s.ref, 'consumer', 'consumers')?.e.id ?? '';
  }

  const pluginEntities: PluginEntity[] = [];
  const pluginIds: Array<Item<PluginEntity>> = [];
  const scopes = new Map<string, string>();
  for (const p of c.plugins) {
    const service = p.service ?? (p.serviceRef ? resolve(findService, p.serviceRef, 'service', 'services') : null);
    const route = p.route ?? (p.routeRef ? resolve(findRoute, p.routeRef, 'route', 'routes') : null);
    const serviceId = service?.e.id ?? null;
    const routeId = route?.e.id ?? null;
    const scope = `service=${serviceId ?? '*'};route=${routeId ?? '*'}`;
    const previous = scopes.get(scope);
    if (previous !== undefined) {
      sink.error(
        childPath(p.path, 'name'),
        `uniqueness violation: 'plugins' entity with name set to 'jwt' already declared for ${describeScope(service, route)} (at ${previous})`,
      );
      continue;
    }
    scopes.set(scope, p.path);
    const id = p.f.id ?? uuidV5(`plugins:jwt:${scope}`);
    const e: PluginEntity = {
      id,
      name: 'jwt',
      enabled: p.f.enabled,
      service: serviceId,
      route: routeId,
      config: p.f.config,
      protocols: p.f.protocols,
      tags: p.f.tags,
    };
    pluginEntities.push(e);
    pluginIds.push({ e, path: p.path, idGiven: p.f.id !== null });
    const anonymous = e.config.anonymous;
    if (anonymous !== null && findConsumer(anonymous) === undefined) {
      sink.warn(
        childPath(childPath(p.path, 'config'), 'anonymous'),
        `anonymous consumer '${anonymous}' does not exist: requests that fail authentication will get 500`,
      );
    }
  }
  uniqueIds(sink, 'plugins', pluginIds);
  return pluginEntities;
}

function describeScope(service: Item<ServiceEntity> | null, route: RouteItem | null): string {
  const parts: string[] = [];
  if (route) parts.push(`route '${route.e.name ?? route.e.id}'`);
  if (service) parts.push(`service '${service.e.name ?? service.e.id}'`);
  return parts.length === 0 ? 'the global scope' : parts.join(' and ');
}

export function unique<T extends { path: string }>(
  sink: Sink,
  coll: string,
  items: T[],
  field: string,
  get: (t: T) => string | null,
): void {
  const seen = new Set<string>();
  for (const item of items) {
    const v = get(item);
    if (v === null) continue;
    if (seen.has(v)) {
      sink.error(childPath(item.path, field), `uniqueness violation: '${coll}' entity with ${field} set to '${v}' already declared`);
    }
    seen.add(v);
  }
}

/** Id clashes; a clash between two derived ids is already reported as a clash of the keys they derive from. */
export function uniqueIds(sink: Sink, coll: string, items: Array<Item<{ id: string }>>): void {
  const seen = new Map<string, Item<{ id: string }>>();
  for (const item of items) {
    const first = seen.get(item.e.id);
    if (first === undefined) seen.set(item.e.id, item);
    else if (first.idGiven || item.idGiven) {
      sink.error(childPath(item.path, 'id'), `uniqueness violation: '${coll}' entity with id set to '${item.e.id}' already declared`);
    }
  }
}

/** Finds an entity by endpoint key, or by id when the reference is a UUID. */
function lookup<T extends Item<{ id: string }>>(items: T[], key: (t: T) => string | null): (v: string) => T | undefined {
  const byKey = new Map<string, T>();
  const byId = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (k !== null && !byKey.has(k)) byKey.set(k, t);
    if (!byId.has(t.e.id)) byId.set(t.e.id, t);
  }
  return (v) => byKey.get(v) ?? (isUuid(v) ? byId.get(v.toLowerCase()) : undefined);
}
