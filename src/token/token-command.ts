// `portcullis token`: loads the config, picks the credential and key claim, and mints a token for it.
import { readFileSync } from 'node:fs';
import { formatConfigErrors, loadConfigFile } from '../config/load.js';
import type { ValidatedConfig } from '../config/types.js';
import { MintError, mintToken } from './mint-token.js';

export interface TokenCommandOptions {
  configPath: string;
  credentialKey?: string;
  claims: string[];
  expiresIn?: string;
  privateKeyPath?: string;
  keyClaimName?: string;
  secretIsBase64?: boolean;
}

export type TokenCommandResult = { ok: true; token: string } | { ok: false; error: string };

/** `name=value` pairs; a value that parses as JSON (number, boolean, object) keeps its type, else it is a string. */
function parseClaims(pairs: string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new MintError(`--claim expects name=value, got '${pair}'`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: keep the text
    }
    claims[pair.slice(0, eq)] = value;
  }
  return claims;
}

/** The one value every jwt plugin of the config agrees on, or the fallback when they differ or none exists. */
function agreedPluginValue<T>(config: ValidatedConfig, pick: (c: ValidatedConfig['plugins'][number]['config']) => T, fallback: T): T {
  const values = new Set(config.plugins.filter((p) => p.enabled).map((p) => pick(p.config)));
  return values.size === 1 ? [...values][0]! : fallback;
}

function chooseCredentialKey(config: ValidatedConfig, given: string | undefined): string {
  if (given !== undefined) return given;
  if (config.jwt_secrets.length === 1) return config.jwt_secrets[0]!.key;
  const keys = config.jwt_secrets.map((c) => c.key).join(', ') || '(none)';
  throw new MintError(`pass --key to choose a credential (keys: ${keys})`);
}

export function runTokenCommand(options: TokenCommandOptions): TokenCommandResult {
  const loaded = loadConfigFile(options.configPath);
  if (!loaded.ok) return { ok: false, error: `invalid config ${options.configPath}:\n${formatConfigErrors(loaded.errors)}` };
  const config = loaded.config;
  try {
    let expiresIn: number | undefined;
    if (options.expiresIn !== undefined) {
      expiresIn = Number(options.expiresIn);
      if (!/^\d+$/.test(options.expiresIn)) throw new MintError('--expires-in must be a whole number of seconds (0: no exp claim)');
    }
    let privateKeyPem: string | undefined;
    if (options.privateKeyPath !== undefined) {
      try {
        privateKeyPem = readFileSync(options.privateKeyPath, 'utf8');
      } catch (error) {
        throw new MintError(`cannot read --private-key ${options.privateKeyPath}: ${(error as Error).message}`);
      }
    }
    const token = mintToken(config, {
      credentialKey: chooseCredentialKey(config, options.credentialKey),
      keyClaimName: options.keyClaimName ?? agreedPluginValue(config, (c) => c.key_claim_name, 'iss'),
      secretIsBase64: options.secretIsBase64 ?? agreedPluginValue(config, (c) => c.secret_is_base64, false),
      claims: parseClaims(options.claims),
      expiresIn,
      privateKeyPem,
    });
    return { ok: true, token };
  } catch (error) {
    if (error instanceof MintError) return { ok: false, error: error.message };
    throw error;
  }
}
