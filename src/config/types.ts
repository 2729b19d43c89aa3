// Types of the declarative config: what the user writes (Raw*), what validation fills in, and what compile produces.
import type { KeyObject } from 'node:crypto';

export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'ES256',
  'ES384',
  'ES512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512';

/** One validation problem: `path` is a JSON path such as `$.services[0].routes[1].paths[0]`. */
export interface ConfigError {
  path: string;
  message: string;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** `gateway.http_engine` and the `engine=` listener flag: uWebSockets.js or Node's own http/https/http2. */
export type HttpEngine = 'uws' | 'node';

/** One kong.conf listener entry, e.g. `0.0.0.0:8443 http2 ssl reuseport backlog=16384` (see config/listen-spec.ts). */
export interface ListenerSpec extends ListenAddress {
  ssl: boolean;
  http2: boolean;
  reuseport: boolean;
  /** backlog=N; null = the engine's default. */
  backlog: number | null;
  /** engine=uws|node; null = gateway.http_engine (http2 listeners are always served by the node engine). */
  engine: HttpEngine | null;
  /** The flags as written, for display. */
  flags: string[];
}

/**
 * The `gateway` section after validation: total, every field present with its default filled in (the validator and
 * `resolve()` in config/resolve.ts build it; tests build one with `gatewaySettings(overrides)` in test/helpers).
 * "Not set" is an explicit value (null, [] or '') so no consumer re-resolves a default.
 */
export interface GatewaySettings {
  /** Every worker serves every entry; never empty. */
  proxy_listen: ListenerSpec[];
  /** null when `admin_listen` is `"off"`. */
  admin_listen: ListenerSpec[] | null;
  /** The engine of proxy listeners without an `engine=` flag. */
  http_engine: HttpEngine;
  /** Resolved worker-thread count (`"auto"` becomes the number of available cores). */
  workers: number;
  /** Largest request head (request line + headers) accepted, bytes. */
  max_header_bytes: number;
  /** Largest request body accepted, bytes; larger gets 413. */
  max_body_bytes: number;
  log_level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Grace period for in-flight requests on SIGTERM/SIGINT and on reload, ms. */
  drain_timeout_ms: number;
  /** V8 young-generation semi-space of each worker, MiB (min = max; default 16); 0 = V8's own sizing. Restart-only. */
  gc_semi_space_mb: number;
  /** Admin API token (Kong-Admin-Token header) as the file gives it; null = none. The environment's token is applied by resolve(). */
  admin_token: string | null;
  // Admin API security (validate-admin.ts, src/admin/admin-guard.ts).
  /** File holding the admin token (one trailing newline trimmed); read at start and on reload. Exclusive with admin_token. */
  admin_token_file: string | null;
  /** Browser origins (`scheme://host[:port]`) allowed to call the Admin API; empty = none. */
  admin_allowed_origins: string[];
  /** Host names accepted in `Host` besides the listener's loopback addresses; when set, enforced with a token too. */
  admin_allowed_hosts: string[];
  /** Where RS, PS, ES and EdDSA signatures are verified (see validate-verify.ts for the defaults). */
  asymmetric_verify: 'pool' | 'libuv' | 'inline';
  /** Verifications queued or in flight per worker thread before 503 `verifyQueueFull`. */
  verify_queue_max: number;
  /** Piscina threads for `asymmetric_verify: "pool"`; 0 = automatic. */
  verify_pool_threads: number;
  /** JWKS cache lifetime bounds: `Cache-Control: max-age` is clamped into [min, max]; no max-age → max. */
  jwks_cache_min_seconds: number;
  jwks_cache_max_seconds: number;
  /** At most one unknown-`kid` refetch per JWKS URI per this many seconds. */
  jwks_refetch_interval_seconds: number;
  jwks_fetch_timeout_ms: number;
  jwks_max_bytes: number;
  /** Readiness waits at most this long for every JWKS to load once. */
  jwks_ready_timeout_ms: number;
  /**
   * TLS default certificates as PEM text (a path in the file is read at validation), paired by index with
   * `ssl_cert_key`; null when not configured. Several pairs let an RSA and an ECDSA certificate be served together.
   */
  ssl_cert: string[] | null;
  ssl_cert_key: string[] | null;
  /**
   * Answers made before the request body was read (401, 404, 413, ...): body bytes still to come that are read
   * and discarded first, keeping the connection; beyond it, answer and linger like nginx.
   */
  discard_body_max_bytes: number;
  /** Lingering close: longest read after the answer (nginx `lingering_time`). */
  lingering_time_ms: number;
  /** Lingering close: silence that ends it early (nginx `lingering_timeout`). */
  lingering_timeout_ms: number;
  /** External-authorizer listener; null when `authorizer_listen` is `"off"` (the default). */
  authorizer_listen: ListenerSpec | null;
  /** Envoy ext_authz `path_prefix` removed from authorizer request paths; '' = none. */
  authorizer_path_prefix: string;
  /** Which front proxy's request shape the authorizer reads. */
  authorizer_source: 'auto' | 'traefik' | 'nginx' | 'envoy';
  /** Access log destination: `"stdout"` or a file path; null = off (`true` in the file means `"stdout"`). */
  access_log: string | null;
  /** Replicas (validate-replica.ts). Reload on file change. */
  watch_config: boolean;
  /** false = the Admin API is read-only (Kong's DB-less answers to writes). */
  admin_writes: boolean;
  /** With admin_writes false: whether `POST /config` may still replace the config (in memory only). */
  admin_config_endpoint: boolean;
  /** Kong's status listener (`/status`, `/status/ready`, `/metrics`); null = off. */
  status_listen: ListenAddress | null;
  /** On SIGTERM: readiness fails at once, the proxy keeps accepting this long, then drains. */
  drain_delay_ms: number;
  /** Verified-token cache bounds. */
  token_cache: {
    enabled: boolean;
    max_entries: number;
    max_bytes: number;
    /** Tokens longer than this are verified every time, never cached. */
    max_token_bytes: number;
  };
}

/** `config` of a `jwt` plugin after Kong's defaults are applied (field names as Kong's). */
export interface JwtPluginConfig {
  uri_param_names: string[];
  cookie_names: string[];
  header_names: string[];
  key_claim_name: string;
  secret_is_base64: boolean;
  claims_to_verify: Array<'exp' | 'nbf'> | null;
  anonymous: string | null;
  run_on_preflight: boolean;
  maximum_expiration: number;
  realm: string | null;
  // ---- Policy extensions beyond Kong (src/auth/jwt-policy.ts); each one absent unless the file sets it. ----
  /** Seconds of clock skew allowed for exp, nbf and maximum_expiration (0–3600). */
  leeway?: number;
  /** The token's `iss` must be one of these. */
  issuers?: string[];
  /** One of the token's `aud` values must be one of these. */
  audiences?: string[];
  scopes_required?: string[];
  /** Claims (dot paths) holding the scopes, the first present one is used; default `["scope","scp"]`. */
  scopes_claim?: string[];
  scopes_match?: 'all' | 'any';
  roles_required?: string[];
  /** Claim (dot path) holding the roles, e.g. `realm_access.roles`; default `roles`. */
  roles_claim?: string;
  roles_match?: 'all' | 'any';
  /** Claims copied into upstream request headers; client copies of these headers are always removed. */
  claims_to_headers?: Array<{ claim: string; header: string }>;
  /** Upstream header receiving the token's payload segment (base64url). */
  forward_payload_header?: string;
  /** Remove the token from the header, query argument or cookie it came in before proxying. */
  hide_credentials?: boolean;
}

/** A plugin entity after validation; scope is by id (null = not scoped there). */
export interface PluginEntity {
  id: string;
  name: 'jwt';
  enabled: boolean;
  service: string | null;
  route: string | null;
  config: JwtPluginConfig;
  protocols: string[];
  tags: string[] | null;
}

export interface ServiceEntity {
  id: string;
  name: string | null;
  /** grpc/grpcs services are reached over HTTP/2 (src/proxy/grpc-pool.ts). */
  protocol: 'http' | 'https' | 'grpc' | 'grpcs';
  host: string;
  port: number;
  /** null means `/` for routing; kept null to echo the user's config. */
  path: string | null;
  connect_timeout: number;
  read_timeout: number;
  write_timeout: number;
  retries: number;
  enabled: boolean;
  tags: string[] | null;
}

export interface RouteEntity {
  id: string;
  name: string | null;
  service: string | null;
  protocols: string[];
  methods: string[] | null;
  hosts: string[] | null;
  paths: string[] | null;
  headers: Record<string, string[]> | null;
  strip_path: boolean;
  preserve_host: boolean;
  regex_priority: number;
  path_handling: 'v0' | 'v1';
  tags: string[] | null;
  /** Server names (exact, `*.x` or `x.*`) a TLS request's SNI must match; absent or null = any. */
  snis?: string[] | null;
  /** Answer to a plain-HTTP request on a route without `http` in `protocols`: 426, or a redirect status. Absent = 426. */
  https_redirect_status_code?: number;
}

/** Kong's `certificates` entity: PEM certificate and key, optionally an alternative pair of the other key type. */
export interface CertificateEntity {
  id: string;
  cert: string;
  key: string;
  cert_alt: string | null;
  key_alt: string | null;
  tags: string[] | null;
}

/** Kong's `snis` entity: a server name (exact or one leading/trailing `*` label) selecting a certificate. */
export interface SniEntity {
  id: string;
  /** Lower-case. */
  name: string;
  certificate: string;
  tags: string[] | null;
}

export interface ConsumerEntity {
  id: string;
  username: string | null;
  custom_id: string | null;
  tags: string[] | null;
}

export interface JwtSecretEntity {
  id: string;
  consumer: string;
  key: string;
  secret: string | null;
  algorithm: JwtAlgorithm;
  rsa_public_key: string | null;
  /** Extension: the credential's keys come from this JWKS URL (http/https), selected by the token's `kid`. */
  jwks_uri?: string | null;
  /** Extension: an inline JWK Set (`{"keys":[...]}`), selected by the token's `kid`. */
  jwks?: { keys: unknown[] } | null;
  /** Extension: OIDC discovery; `<issuer>/.well-known/openid-configuration` names the JWKS (then as `jwks_uri`). */
  oidc_issuer?: string | null;
  tags: string[] | null;
}

/**
 * A validated config: every entity flattened to a top-level list with ids filled in and
 * references resolved to ids, defaults applied. Plain data (structured-clone safe), so the
 * main thread validates once and sends it to every worker, which compiles it.
 */
export interface ValidatedConfig {
  _format_version: '1.1' | '2.1' | '3.0';
  gateway: GatewaySettings;
  services: ServiceEntity[];
  routes: RouteEntity[];
  plugins: PluginEntity[];
  consumers: ConsumerEntity[];
  jwt_secrets: JwtSecretEntity[];
  /** Absent when the file has none (keeps hand-built literals valid). */
  certificates?: CertificateEntity[];
  snis?: SniEntity[];
}

/** A credential as validation leaves it: `key` null when the file omits it (generate-secrets.ts fills it, and an HS* `secret`). */
export type ValidatedJwtSecret = Omit<JwtSecretEntity, 'key'> & { key: string | null };

/**
 * What validation produces: deterministic, the same for the same file. `withGeneratedSecrets` (generate-secrets.ts), a
 * separate and explicit step, turns it into the ValidatedConfig the gateway runs.
 */
export interface ValidatedDocument extends Omit<ValidatedConfig, 'jwt_secrets'> {
  jwt_secrets: ValidatedJwtSecret[];
}

/**
 * `warnings` (added by the config part) lists things that load but deserve a log line, e.g. a
 * credential `key`/`secret` generated at random because the file omits it.
 */
export type LoadResult =
  | { ok: true; config: ValidatedConfig; source: string; warnings: ConfigError[] }
  | { ok: false; errors: ConfigError[]; source: string; warnings: ConfigError[] };

// ---- Compiled form: what the request path reads. Built once per config generation. ----

export interface CompiledService {
  readonly entity: ServiceEntity;
  /** `http://host:port`, the undici pool key. */
  readonly origin: string;
  /** Host header value sent upstream when preserve_host is false (port only when non-default). */
  readonly hostHeader: string;
  /** Service path, `/` when absent. */
  readonly basePath: string;
}

export interface CompiledConsumer {
  readonly entity: ConsumerEntity;
  /** Flat [name, value, name, value, ...] upstream headers for this consumer (X-Consumer-ID, -Username, -Custom-ID). */
  readonly upstreamHeaders: readonly string[];
}

export interface CompiledCredential {
  readonly entity: JwtSecretEntity;
  readonly consumer: CompiledConsumer;
  /** `key` as the X-Credential-Identifier value (its UTF-8 bytes, proxy/header-value.ts). */
  readonly identifierHeader: string;
  /** Parsed public key for asymmetric algorithms (null for HS* or when missing). */
  readonly publicKey: KeyObject | null;
  /** Raw secret bytes for HS* (secret as UTF-8), null otherwise. */
  readonly secretBytes: Buffer | null;
  /** base64url-decoded secret for HS* (`secret_is_base64`), null if it does not decode. */
  readonly secretBase64Bytes: Buffer | null;
}

/** The jwt plugin resolved for one route (Kong precedence applied). */
export interface CompiledJwtPlugin {
  readonly entity: PluginEntity;
  readonly config: JwtPluginConfig;
  /** The policy extensions precompiled (src/auth/jwt-policy.ts); null when the config sets none. */
  readonly policy: import('../auth/jwt-policy.js').JwtPolicy | null;
}

export interface CompiledRoute {
  readonly entity: RouteEntity;
  readonly service: CompiledService | null;
  /** The effective jwt plugin for this route, or null when none applies. */
  readonly jwt: CompiledJwtPlugin | null;
  /** Plain HTTP gets this status (426, or a redirect to https) because `protocols` lacks `http`; null/absent = served. */
  readonly httpsRedirect?: number | null;
  /** A gRPC route (`protocols` grpc/grpcs): `tls-only` when it lacks `grpc`; null/absent = an HTTP route. */
  readonly grpc?: GrpcRouteMode | null;
}

/** How a gRPC route takes requests: over plain h2c and TLS (`any`), or over TLS only (`grpcs` alone). */
export type GrpcRouteMode = 'any' | 'tls-only';

export interface CompiledConfig {
  readonly generation: number;
  readonly validated: ValidatedConfig;
  readonly gateway: GatewaySettings;
  readonly services: readonly CompiledService[];
  readonly routes: readonly CompiledRoute[];
  readonly consumersById: ReadonlyMap<string, CompiledConsumer>;
  readonly consumersByUsername: ReadonlyMap<string, CompiledConsumer>;
  readonly credentialsByKey: ReadonlyMap<string, CompiledCredential>;
}
