// Resolves the Admin API token: the environment (PORTCULLIS_ADMIN_TOKEN[_FILE]) over the file's gateway.admin_token[_file]; config/resolve.ts passes the environment.
import type { ConfigError, GatewaySettings } from '../config/types.js';
import { readTokenFile } from '../config/validate-admin.js';

export const ADMIN_TOKEN_ENV = 'PORTCULLIS_ADMIN_TOKEN';
export const ADMIN_TOKEN_FILE_ENV = 'PORTCULLIS_ADMIN_TOKEN_FILE';

export type AdminTokenSource = 'env' | 'env-file' | 'config' | 'config-file' | 'none';

export type TokenResolution = { ok: true; token: string | null; source: AdminTokenSource } | { ok: false; errors: ConfigError[] };

/**
 * Precedence, first set wins: PORTCULLIS_ADMIN_TOKEN, PORTCULLIS_ADMIN_TOKEN_FILE, gateway.admin_token,
 * gateway.admin_token_file. Setting both of one pair is an error (validation reports the config pair),
 * so an operator never has to guess which one is in force. Files are read on every call (start and reload).
 */
export function resolveAdminToken(
  gateway: Pick<GatewaySettings, 'admin_token' | 'admin_token_file'>,
  env: NodeJS.ProcessEnv,
): TokenResolution {
  const envToken = env[ADMIN_TOKEN_ENV] || null;
  const envFile = env[ADMIN_TOKEN_FILE_ENV] || null;
  if (envToken !== null && envFile !== null) {
    return {
      ok: false,
      errors: [{ path: ADMIN_TOKEN_FILE_ENV, message: `set either ${ADMIN_TOKEN_ENV} or ${ADMIN_TOKEN_FILE_ENV}, not both` }],
    };
  }
  if (envToken !== null) return { ok: true, token: envToken, source: 'env' };
  if (envFile !== null) return fromFile(envFile, ADMIN_TOKEN_FILE_ENV, 'env-file');
  if (gateway.admin_token) return { ok: true, token: gateway.admin_token, source: 'config' };
  if (gateway.admin_token_file) return fromFile(gateway.admin_token_file, '$.gateway.admin_token_file', 'config-file');
  return { ok: true, token: null, source: 'none' };
}

function fromFile(file: string, path: string, source: AdminTokenSource): TokenResolution {
  const read = readTokenFile(file);
  return read.ok ? { ok: true, token: read.token, source } : { ok: false, errors: [{ path, message: read.message }] };
}
