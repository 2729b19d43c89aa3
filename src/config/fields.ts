// The accepted field names of every object in the config file and Kong's defaults (one list, checked against the JSON Schema).
import type { JwtPluginConfig } from './types.js';

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;

/** Accepted fields per object kind (the meta fields `_comment`/`_ignore` are allowed everywhere besides). */
export const FIELDS = {
  root: [
    '_format_version',
    '_transform',
    'gateway',
    'services',
    'routes',
    'plugins',
    'consumers',
    'jwt_secrets',
    // TLS (validate-tls.ts).
    'certificates',
    'snis',
  ],
  gateway: [
    'proxy_listen',
    'admin_listen',
    'workers',
    'max_header_bytes',
    'max_body_bytes',
    'log_level',
    'drain_timeout_ms',
    'gc_semi_space_mb',
    'token_cache',
    'admin_token',
    // Asymmetric verification and JWKS (validate-verify.ts).
    'asymmetric_verify',
    'verify_queue_max',
    'verify_pool_threads',
    'jwks_cache_min_seconds',
    'jwks_cache_max_seconds',
    'jwks_refetch_interval_seconds',
    'jwks_fetch_timeout_ms',
    'jwks_max_bytes',
    'jwks_ready_timeout_ms',
    // Listeners and HTTP engines (listen-spec.ts).
    'http_engine',
    // TLS default certificate (validate-tls.ts).
    'ssl_cert',
    'ssl_cert_key',
    // Admin API security (validate-admin.ts).
    'admin_token_file',
    'admin_allowed_origins',
    'admin_allowed_hosts',
    // Answers made before the body was read (src/server/refusal-policy.ts).
    'discard_body_max_bytes',
    'lingering_time_ms',
    'lingering_timeout_ms',
    // External-authorizer mode (validate-gateway.ts).
    'authorizer_listen',
    'authorizer_path_prefix',
    'authorizer_source',
    // Access log (validate-gateway.ts readAccessLog).
    'access_log',
    // Replicas on Kubernetes (validate-replica.ts).
    'watch_config',
    'admin_writes',
    'admin_config_endpoint',
    'status_listen',
    'drain_delay_ms',
  ],
  token_cache: ['enabled', 'max_entries', 'max_bytes', 'max_token_bytes'],
  service: [
    'id',
    'created_at',
    'updated_at',
    'name',
    'url',
    'protocol',
    'host',
    'port',
    'path',
    'retries',
    'connect_timeout',
    'read_timeout',
    'write_timeout',
    'enabled',
    'tags',
    'routes',
    'plugins',
  ],
  route: [
    'id',
    'created_at',
    'updated_at',
    'name',
    'service',
    'protocols',
    'methods',
    'hosts',
    'paths',
    'headers',
    'strip_path',
    'preserve_host',
    'regex_priority',
    'path_handling',
    'tags',
    'plugins',
    'snis',
    'https_redirect_status_code',
  ],
  plugin: ['id', 'created_at', 'updated_at', 'name', 'enabled', 'service', 'route', 'consumer', 'protocols', 'config', 'tags'],
  jwt_config: [
    'uri_param_names',
    'cookie_names',
    'header_names',
    'key_claim_name',
    'secret_is_base64',
    'claims_to_verify',
    'anonymous',
    'run_on_preflight',
    'maximum_expiration',
    'realm',
    // Policy extensions (validate-jwt-policy.ts).
    'leeway',
    'issuers',
    'audiences',
    'scopes_required',
    'scopes_claim',
    'scopes_match',
    'roles_required',
    'roles_claim',
    'roles_match',
    'claims_to_headers',
    'forward_payload_header',
    'hide_credentials',
  ],
  claim_header: ['claim', 'header'],
  consumer: ['id', 'created_at', 'updated_at', 'username', 'custom_id', 'tags', 'jwt_secrets', 'plugins'],
  jwt_secret: ['id', 'created_at', 'consumer', 'key', 'secret', 'algorithm', 'rsa_public_key', 'jwks_uri', 'jwks', 'oidc_issuer', 'tags'],
  certificate: ['id', 'created_at', 'updated_at', 'cert', 'key', 'cert_alt', 'key_alt', 'tags', 'snis'],
  sni: ['id', 'created_at', 'updated_at', 'name', 'certificate', 'tags'],
} as const satisfies Record<string, readonly string[]>;

export type FieldKind = keyof typeof FIELDS;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const GATEWAY_DEFAULTS = {
  proxy_listen: '0.0.0.0:8000',
  admin_listen: '127.0.0.1:8001',
  http_engine: 'uws',
  workers: 'auto',
  max_header_bytes: 16384,
  max_body_bytes: 1073741824,
  log_level: 'info',
  drain_timeout_ms: 10000,
  gc_semi_space_mb: 16,
  discard_body_max_bytes: 1048576,
  lingering_time_ms: 30000,
  lingering_timeout_ms: 5000,
  token_cache: { enabled: true, max_entries: 100000, max_bytes: 33554432, max_token_bytes: 8192 },
} as const;

/** Where the authorizer reads the original request from; `auto` tries Traefik, then nginx, then Envoy. */
export const AUTHORIZER_SOURCES = ['auto', 'traefik', 'nginx', 'envoy'] as const;

export const GATEWAY_LIMITS = {
  workers: [1, 64],
  max_header_bytes: [4096, 1048576],
  max_body_bytes: [0, Number.MAX_SAFE_INTEGER],
  drain_timeout_ms: [0, 3600000],
  gc_semi_space_mb: [0, 1024],
  max_entries: [1, 100000000],
  max_bytes: [1024, Number.MAX_SAFE_INTEGER],
  max_token_bytes: [16, 1048576],
  discard_body_max_bytes: [0, Number.MAX_SAFE_INTEGER],
  lingering_time_ms: [0, 3600000],
  lingering_timeout_ms: [0, 3600000],
} as const;

export function jwtConfigDefaults(): JwtPluginConfig {
  return {
    uri_param_names: ['jwt'],
    cookie_names: [],
    header_names: ['authorization'],
    key_claim_name: 'iss',
    secret_is_base64: false,
    claims_to_verify: null,
    anonymous: null,
    run_on_preflight: true,
    maximum_expiration: 0,
    realm: null,
  };
}

export const PLUGIN_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'] as const;
/** Route `protocols` (Kong's HTTP and gRPC subschemas; the two pairs cannot be mixed on one route). */
export const ROUTE_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'] as const;
/** Service `protocol`: grpc is h2c with prior knowledge upstream, grpcs HTTP/2 over TLS (src/proxy/grpc-pool.ts). */
export const SERVICE_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'] as const;
export type ServiceProtocol = (typeof SERVICE_PROTOCOLS)[number];
/** Kong's route `https_redirect_status_code` values (426 answers, the others redirect). */
export const HTTPS_REDIRECT_CODES = [426, 301, 302, 307, 308] as const;
export const SERVICE_DEFAULTS = { retries: 5, timeout: 60000, http_port: 80, https_port: 443 } as const;
