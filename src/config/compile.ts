// Compiles a ValidatedConfig into the frozen structures the request path reads (services, consumers, credentials, per-route jwt plugin).
import type { KeyObject } from 'node:crypto';
import type {
  CompiledConfig,
  CompiledConsumer,
  CompiledCredential,
  CompiledJwtPlugin,
  CompiledRoute,
  CompiledService,
  ConsumerEntity,
  GrpcRouteMode,
  JwtSecretEntity,
  PluginEntity,
  ServiceEntity,
  ValidatedConfig,
} from './types.js';
import { decodeBase64url } from '../crypto/base64url.js';
import { parsePublicKey } from './validate-keys.js';
import { headerValue } from '../proxy/header-value.js';
import { compileJwtPolicy } from '../auth/jwt-policy.js';
import { isGrpcRoute } from './validate-protocols.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value) && !ArrayBuffer.isView(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function compileService(entity: ServiceEntity): CompiledService {
  const hostForUrl = entity.host.includes(':') ? `[${entity.host}]` : entity.host;
  const tls = entity.protocol === 'https' || entity.protocol === 'grpcs';
  const defaultPort = tls ? 443 : 80;
  return Object.freeze({
    entity,
    // gRPC services are HTTP/2 origins: h2c for grpc, TLS for grpcs (the pool picks HTTP/2 by the protocol).
    origin: `${tls ? 'https' : 'http'}://${hostForUrl}:${entity.port}`,
    hostHeader: entity.port === defaultPort ? hostForUrl : `${hostForUrl}:${entity.port}`,
    basePath: entity.path ?? '/',
  });
}

function compileConsumer(entity: ConsumerEntity): CompiledConsumer {
  // Values as their UTF-8 bytes (header-value.ts), converted here once rather than per request.
  const headers: string[] = ['X-Consumer-ID', headerValue(entity.id)];
  if (entity.username !== null) headers.push('X-Consumer-Username', headerValue(entity.username));
  if (entity.custom_id !== null) headers.push('X-Consumer-Custom-ID', headerValue(entity.custom_id));
  return Object.freeze({ entity, upstreamHeaders: Object.freeze(headers) });
}

/** rsa_public_key is used as is, never base64-decoded (Kong >= 3.9); an ES* key may be missing or garbage. */
function publicKeyOf(entity: JwtSecretEntity): KeyObject | null {
  if (entity.algorithm.startsWith('HS') || entity.rsa_public_key === null) return null;
  return parsePublicKey(entity.rsa_public_key);
}

/** The one place a credential's key material is prepared (secret bytes, base64url-decoded secret, public key). */
export function compileCredential(entity: JwtSecretEntity, consumer: CompiledConsumer): CompiledCredential {
  const hmac = entity.algorithm.startsWith('HS') && entity.secret !== null;
  return Object.freeze({
    entity,
    consumer,
    identifierHeader: headerValue(entity.key),
    publicKey: publicKeyOf(entity),
    secretBytes: hmac ? Buffer.from(entity.secret!, 'utf8') : null,
    // Kong decodes with nginx's base64url (`+`/`/` refused, '=' optional); decoded here with the same rule.
    secretBase64Bytes: hmac ? decodeBase64url(entity.secret!) : null,
  });
}

/** Enabled jwt plugins indexed by scope, so each route resolves its plugin with a few map lookups. */
export interface PluginScopes {
  readonly byRouteAndService: ReadonlyMap<string, PluginEntity>;
  readonly byRoute: ReadonlyMap<string, PluginEntity>;
  readonly byService: ReadonlyMap<string, PluginEntity>;
  readonly global: PluginEntity | null;
}

function indexPlugins(plugins: readonly PluginEntity[]): PluginScopes {
  const byRouteAndService = new Map<string, PluginEntity>();
  const byRoute = new Map<string, PluginEntity>();
  const byService = new Map<string, PluginEntity>();
  let global: PluginEntity | null = null;
  for (const p of plugins) {
    if (!p.enabled) continue;
    if (p.route !== null && p.service !== null) byRouteAndService.set(`${p.route} ${p.service}`, p);
    else if (p.route !== null) byRoute.set(p.route, p);
    else if (p.service !== null) byService.set(p.service, p);
    else global = p;
  }
  return { byRouteAndService, byRoute, byService, global };
}

/** Kong precedence: route+service > route > service > global; disabled plugins are ignored. */
function resolveJwtPlugin(scopes: PluginScopes, routeId: string, serviceId: string | null): PluginEntity | null {
  return (
    (serviceId !== null ? scopes.byRouteAndService.get(`${routeId} ${serviceId}`) : undefined) ??
    scopes.byRoute.get(routeId) ??
    (serviceId !== null ? scopes.byService.get(serviceId) : undefined) ??
    scopes.global
  );
}

export function compileConfig(validated: ValidatedConfig, generation: number): CompiledConfig {
  deepFreeze(validated);
  const servicesById = new Map<string, CompiledService>();
  const services = validated.services.map((s) => {
    const c = compileService(s);
    servicesById.set(s.id, c);
    return c;
  });
  const scopes = indexPlugins(validated.plugins);
  const pluginCache = new Map<PluginEntity, CompiledJwtPlugin>();
  const routes: CompiledRoute[] = validated.routes.map((r) => {
    const plugin = resolveJwtPlugin(scopes, r.id, r.service);
    let jwt: CompiledJwtPlugin | null = null;
    if (plugin) {
      jwt = pluginCache.get(plugin) ?? Object.freeze({ entity: plugin, config: plugin.config, policy: compileJwtPolicy(plugin.config) });
      pluginCache.set(plugin, jwt);
    }
    // Kong: only an https route without http redirects; a gRPC route's protocol checks are the pipeline's (grpc-route.ts).
    const httpsRedirect = r.protocols.includes('https') && !r.protocols.includes('http') ? (r.https_redirect_status_code ?? 426) : null;
    const grpc: GrpcRouteMode | null = !isGrpcRoute(r.protocols) ? null : r.protocols.includes('grpc') ? 'any' : 'tls-only';
    const service = r.service === null ? null : (servicesById.get(r.service) ?? null);
    return Object.freeze({ entity: r, service, jwt, httpsRedirect, grpc });
  });
  const consumersById = new Map<string, CompiledConsumer>();
  const consumersByUsername = new Map<string, CompiledConsumer>();
  for (const c of validated.consumers) {
    const compiled = compileConsumer(c);
    consumersById.set(c.id, compiled);
    if (c.username !== null) consumersByUsername.set(c.username, compiled);
  }
  const credentialsByKey = new Map<string, CompiledCredential>();
  for (const s of validated.jwt_secrets) {
    const consumer = consumersById.get(s.consumer);
    if (consumer) credentialsByKey.set(s.key, compileCredential(s, consumer));
  }
  return Object.freeze({
    generation,
    validated,
    gateway: validated.gateway,
    services: Object.freeze(services),
    routes: Object.freeze(routes),
    consumersById,
    consumersByUsername,
    credentialsByKey,
  });
}
