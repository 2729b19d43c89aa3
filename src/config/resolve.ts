// The resolve step: a validated config plus the environment and command-line overrides, held to the rules `start` enforces.
import { isLoopbackHost } from '../admin/admin-http.js';
import { ADMIN_TOKEN_ENV, ADMIN_TOKEN_FILE_ENV, resolveAdminToken, type TokenResolution } from '../admin/admin-token.js';
import { validateDocument } from './load.js';
import type { ConfigError, GatewaySettings, HttpEngine, ValidatedConfig, ValidatedDocument } from './types.js';
import { processEnvironment, type EnvironmentVariable } from './environment.js';
import { uwsEnvironment } from '../server/uws-env.js';

/** For benchmarks: compares verification modes without editing the config file (overrides gateway.asymmetric_verify). */
export const ASYMMETRIC_VERIFY_ENV: EnvironmentVariable = 'PORTCULLIS_ASYMMETRIC_VERIFY';
const VERIFY_MODES: ReadonlySet<string> = new Set<GatewaySettings['asymmetric_verify']>(['pool', 'libuv', 'inline']);

/** What the command line overrides (`--workers`, `--log-level`, `--http-engine`, `--watch`); absent = the file's value. */
export interface SettingsOverrides {
  workers?: number;
  logLevel?: GatewaySettings['log_level'];
  /** The engine of every proxy listener: `engine=` flags are dropped (http2 listeners stay node). */
  httpEngine?: HttpEngine;
  /** Reload when the config file changes, as gateway.watch_config does. */
  watch?: boolean;
}

/** Anything with a validated gateway section: a ValidatedDocument (check) or a ValidatedConfig (start, reload). */
type WithGateway = { gateway: GatewaySettings };

export interface ResolvedConfig<C extends WithGateway = ValidatedConfig> {
  /** The validated config with every override applied: what the workers and the supervisor run. */
  config: C;
  /** The Admin API token in force (PORTCULLIS_ADMIN_TOKEN[_FILE] over the file's), or why it cannot be read. */
  adminToken: TokenResolution;
  /** What `start` refuses (an unreadable token, an exposed Admin API without one); empty when it would start. */
  errors: ConfigError[];
  /**
   * Variables the worker threads get on top of this process's environment, set by the worker spawn before uWS loads:
   * UWS_HTTP_MAX_HEADERS_SIZE from gateway.max_header_bytes (clamped).
   */
  workerEnv: Readonly<Record<string, string>>;
}

/** Applies the overrides to the gateway section; every other part of the config is shared, not copied. */
function applyOverrides<C extends WithGateway>(config: C, env: NodeJS.ProcessEnv, overrides: SettingsOverrides): C {
  const gateway = { ...config.gateway };
  const forced = env[ASYMMETRIC_VERIFY_ENV];
  if (forced !== undefined && VERIFY_MODES.has(forced)) gateway.asymmetric_verify = forced as GatewaySettings['asymmetric_verify'];
  if (overrides.workers !== undefined) gateway.workers = overrides.workers;
  if (overrides.logLevel !== undefined) gateway.log_level = overrides.logLevel;
  if (overrides.watch !== undefined) gateway.watch_config = overrides.watch;
  if (overrides.httpEngine !== undefined) {
    gateway.http_engine = overrides.httpEngine;
    gateway.proxy_listen = gateway.proxy_listen.map((l) => ({ ...l, engine: null }));
    if (gateway.authorizer_listen) gateway.authorizer_listen = { ...gateway.authorizer_listen, engine: null };
  }
  return { ...config, gateway };
}

/** The first admin listener bound to a non-loopback address, which must not run without a token. */
export function exposedAdminHost(gateway: GatewaySettings): string | null {
  return gateway.admin_listen?.find((l) => !isLoopbackHost(l.host))?.host ?? null;
}

/**
 * The one resolve step `portcullis check`, `start` and every reload share: environment overrides, command-line
 * overrides, the admin token in force, and the cross-field rules that need them. Token files are read on every call.
 */
export function resolveConfig<C extends WithGateway>(
  validated: C,
  env: NodeJS.ProcessEnv = processEnvironment(),
  overrides: SettingsOverrides = {},
): ResolvedConfig<C> {
  const config = applyOverrides(validated, env, overrides);
  const adminToken = resolveAdminToken(config.gateway, env);
  const errors: ConfigError[] = adminToken.ok ? [] : [...adminToken.errors];
  const exposed = exposedAdminHost(config.gateway);
  if (adminToken.ok && adminToken.token === null && exposed !== null) {
    errors.push({
      path: '$.gateway.admin_listen',
      message:
        `the Admin API would listen on the non-loopback address '${exposed}' without a token: ` +
        `set gateway.admin_token or gateway.admin_token_file (or the ${ADMIN_TOKEN_ENV} / ${ADMIN_TOKEN_FILE_ENV} ` +
        'environment variable), or listen on 127.0.0.1',
    });
  }
  return { config, adminToken, errors, workerEnv: uwsEnvironment(config.gateway.max_header_bytes) };
}

export type Resolution =
  | { ok: true; config: ValidatedDocument; adminToken: string | null; warnings: ConfigError[] }
  | { ok: false; errors: ConfigError[]; warnings: ConfigError[] };

/**
 * A parsed document all the way to the settings a gateway would run: validation, then `resolveConfig`; every error
 * with its path. Deterministic for the same document and environment (omitted credential secrets are not generated).
 */
export function resolve(document: unknown, env: NodeJS.ProcessEnv = processEnvironment(), overrides: SettingsOverrides = {}): Resolution {
  const validated = validateDocument(document);
  if (!validated.ok) return validated;
  const resolved = resolveConfig(validated.config, env, overrides);
  if (resolved.errors.length > 0 || !resolved.adminToken.ok) {
    return { ok: false, errors: resolved.errors, warnings: validated.warnings };
  }
  return { ok: true, config: resolved.config, adminToken: resolved.adminToken.token, warnings: validated.warnings };
}
