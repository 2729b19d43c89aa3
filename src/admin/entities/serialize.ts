// Renders entities in Kong's Admin API shapes (every field shown, nulls included) and pages lists.
import type {
  CertificateEntity,
  ConsumerEntity,
  JwtSecretEntity,
  PluginEntity,
  RouteEntity,
  ServiceEntity,
  SniEntity,
} from '../../config/types.js';
import type { Obj } from '../../config/validate-context.js';
import type { Kind } from './kinds.js';
import type { AnyEntity, RawEntry } from './raw-index.js';
import type { ApiResult } from './kong-errors.js';

/** created_at/updated_at shown for entities the file gives no time for (hand-written entries). */
const DEFAULT_TIMESTAMP = 0;

function time(obj: Obj, key: string, fallback: number): number {
  const v = obj[key];
  return typeof v === 'number' ? v : fallback;
}

function ref(id: string | null): { id: string } | null {
  return id === null ? null : { id };
}

export function serializeEntry(entry: RawEntry): Record<string, unknown> {
  const created = time(entry.obj, 'created_at', DEFAULT_TIMESTAMP);
  const updated = time(entry.obj, 'updated_at', created);
  return serializeEntity(entry.kind, entry.entity, created, updated, entry.obj);
}

function serializeEntity(kind: Kind, entity: AnyEntity, created_at: number, updated_at: number, obj: Obj): Record<string, unknown> {
  switch (kind) {
    case 'services': {
      const s = entity as ServiceEntity;
      return {
        id: s.id,
        created_at,
        updated_at,
        name: s.name,
        protocol: s.protocol,
        host: s.host,
        port: s.port,
        path: s.path,
        retries: s.retries,
        connect_timeout: s.connect_timeout,
        write_timeout: s.write_timeout,
        read_timeout: s.read_timeout,
        tags: s.tags,
        client_certificate: null,
        tls_verify: null,
        tls_verify_depth: null,
        ca_certificates: null,
        enabled: s.enabled,
      };
    }
    case 'routes': {
      const r = entity as RouteEntity;
      return {
        id: r.id,
        created_at,
        updated_at,
        name: r.name,
        protocols: r.protocols,
        methods: r.methods,
        hosts: r.hosts,
        paths: r.paths,
        headers: r.headers,
        https_redirect_status_code: r.https_redirect_status_code ?? 426,
        regex_priority: r.regex_priority,
        strip_path: r.strip_path,
        path_handling: r.path_handling,
        preserve_host: r.preserve_host,
        request_buffering: true,
        response_buffering: true,
        tags: r.tags,
        service: ref(r.service),
        snis: r.snis ?? null,
        sources: null,
        destinations: null,
      };
    }
    case 'plugins': {
      const p = entity as PluginEntity;
      return {
        id: p.id,
        name: p.name,
        instance_name: null,
        created_at,
        updated_at,
        route: ref(p.route),
        service: ref(p.service),
        consumer: null,
        config: p.config,
        protocols: p.protocols,
        enabled: p.enabled,
        tags: p.tags,
      };
    }
    case 'consumers': {
      const c = entity as ConsumerEntity;
      return { id: c.id, created_at, updated_at, username: c.username, custom_id: c.custom_id, tags: c.tags };
    }
    case 'jwt_secrets': {
      const j = entity as JwtSecretEntity;
      return {
        id: j.id,
        created_at,
        consumer: { id: j.consumer },
        key: j.key,
        secret: j.secret,
        rsa_public_key: j.rsa_public_key,
        algorithm: j.algorithm,
        tags: j.tags,
        // Portcullis extensions appear only when the credential uses them, so Kong's shape stays exact.
        ...(j.jwks_uri != null ? { jwks_uri: j.jwks_uri } : {}),
        ...(j.jwks != null ? { jwks: j.jwks } : {}),
        ...(j.oidc_issuer != null ? { oidc_issuer: j.oidc_issuer } : {}),
      };
    }
    case 'certificates': {
      const c = entity as CertificateEntity;
      // Kong lists the certificate's SNI names; here those nested in it (top-level snis point to it from outside).
      const nested = Array.isArray(obj.snis) ? obj.snis : [];
      const snis = nested
        .map((n) => (typeof n === 'string' ? n : (n as Obj | null)?.name))
        .filter((n): n is string => typeof n === 'string');
      return {
        id: c.id,
        created_at,
        updated_at,
        cert: c.cert,
        key: c.key,
        cert_alt: c.cert_alt,
        key_alt: c.key_alt,
        tags: c.tags,
        snis: snis.map((n) => n.toLowerCase()),
      };
    }
    case 'snis': {
      const s = entity as SniEntity;
      return { id: s.id, created_at, updated_at, name: s.name, tags: s.tags, certificate: ref(s.certificate) };
    }
  }
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

function encodeOffset(index: number): string {
  return Buffer.from(JSON.stringify([index])).toString('base64url');
}

function decodeOffset(offset: string): number | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(offset, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 1 && Number.isInteger(v[0]) && (v[0] as number) >= 0) return v[0] as number;
  } catch {
    /* fall through */
  }
  return null;
}

/** `{"data": [...], "next": null}` or with `offset`/`next` when more pages exist; `size` 1..1000 (default 100). */
export function pageList(entries: readonly RawEntry[], query: URLSearchParams, basePath: string): ApiResult {
  let size = DEFAULT_PAGE_SIZE;
  const sizeText = query.get('size');
  if (sizeText !== null) {
    size = Number(sizeText);
    if (sizeText === '' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      return { status: 400, body: { code: 9, name: 'invalid size', message: `size must be an integer between 1 and ${MAX_PAGE_SIZE}` } };
    }
  }
  let start = 0;
  const offsetText = query.get('offset');
  if (offsetText !== null) {
    const decoded = decodeOffset(offsetText);
    if (decoded === null) {
      return {
        status: 400,
        body: { code: 7, name: 'invalid offset', message: `'${offsetText}' is not a valid offset: bad base64 encoding` },
      };
    }
    start = decoded;
  }
  const data = entries.slice(start, start + size).map(serializeEntry);
  const end = start + size;
  if (end >= entries.length) return { status: 200, body: { data, next: null } };
  const offset = encodeOffset(end);
  const tags = query.get('tags');
  const sizePart = (sizeText !== null ? `&size=${size}` : '') + (tags !== null ? `&tags=${encodeURIComponent(tags)}` : '');
  return { status: 200, body: { data, next: `${basePath}?offset=${encodeURIComponent(offset)}${sizePart}`, offset } };
}
