// Builds plain CompiledRoute objects and route queries for the routing tests.
import type { CompiledRoute, CompiledService, RouteEntity, ServiceEntity } from '../../../src/config/types.js';
import type { RouteQuery } from '../../../src/routing/types.js';

let nextId = 0;

export function service(path: string | null, overrides: Partial<ServiceEntity> = {}): CompiledService {
  const entity: ServiceEntity = {
    id: `svc-${++nextId}`,
    name: null,
    protocol: 'http',
    host: '127.0.0.1',
    port: 3000,
    path,
    connect_timeout: 60000,
    read_timeout: 60000,
    write_timeout: 60000,
    retries: 5,
    enabled: true,
    tags: null,
    ...overrides,
  };
  return { entity, origin: 'http://127.0.0.1:3000', hostHeader: '127.0.0.1:3000', basePath: path ?? '/' };
}

export function route(fields: Partial<RouteEntity>, svc: CompiledService | null = service(null)): CompiledRoute {
  const entity: RouteEntity = {
    id: `route-${++nextId}`,
    name: null,
    service: svc?.entity.id ?? null,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    strip_path: true,
    preserve_host: false,
    regex_priority: 0,
    path_handling: 'v0',
    tags: null,
    ...fields,
  };
  return { entity, service: svc, jwt: null };
}

export function query(
  path: string,
  opts: { method?: string; host?: string; listenPort?: number; headers?: Record<string, string>; tls?: boolean; sni?: string | null } = {},
): RouteQuery {
  const headers = opts.headers ?? {};
  return {
    method: opts.method ?? 'GET',
    host: opts.host ?? '',
    listenPort: opts.listenPort ?? 8000,
    path,
    header: (name) => headers[name],
    ...(opts.tls !== undefined ? { tls: opts.tls } : {}),
    ...(opts.sni !== undefined ? { sni: opts.sni } : {}),
  };
}
