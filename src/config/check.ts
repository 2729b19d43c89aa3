// `portcullis check --config FILE`: resolves a file as `start` would and renders either every error or a summary of what it configures.
import { formatConfigErrors, readConfigDocument } from './load.js';
import { resolve } from './resolve.js';
import type { ListenerSpec, ValidatedDocument } from './types.js';
import { formatListener } from './listen-spec.js';
import { FIELDS } from './fields.js';

export interface CheckResult {
  ok: boolean;
  text: string;
}

function addr(specs: readonly ListenerSpec[] | null): string {
  return specs === null ? 'off' : specs.map(formatListener).join(', ');
}

/** Fields of the jwt plugin that are extensions (after Kong's ten). */
const POLICY_FIELDS = FIELDS.jwt_config.slice(FIELDS.jwt_config.indexOf('leeway'));

/** A summary line of the extensions beyond Kong in use, or none for a plain Kong file. */
function extensionLines(c: ValidatedDocument): string[] {
  const used = POLICY_FIELDS.filter((f) => c.plugins.some((p) => (p.config as unknown as Record<string, unknown>)[f] !== undefined));
  const withPolicy = c.plugins.filter((p) =>
    POLICY_FIELDS.some((f) => (p.config as unknown as Record<string, unknown>)[f] !== undefined),
  ).length;
  const oidc = c.jwt_secrets.filter((s) => s.oidc_issuer != null).length;
  const lines: string[] = [];
  if (withPolicy > 0) lines.push(`  jwt policy on ${withPolicy} plugin${withPolicy === 1 ? '' : 's'}: ${used.join(', ')}`);
  if (oidc > 0) lines.push(`  OIDC discovery credentials: ${oidc}`);
  return lines;
}

/** Refuses exactly what `start` refuses (the same resolve step, with the same environment), every error with its JSON path. */
export function checkConfig(path: string, env?: NodeJS.ProcessEnv): CheckResult {
  const read = readConfigDocument(path);
  const result = read.ok ? resolve(read.document, env) : { ok: false as const, errors: read.errors, warnings: [] };
  const warnings = result.warnings.map((w) => `warning: ${w.path}: ${w.message}`);
  if (!result.ok) {
    const n = result.errors.length;
    return {
      ok: false,
      text: [`${path}: ${n} error${n === 1 ? '' : 's'}`, formatConfigErrors(result.errors), ...warnings].join('\n'),
    };
  }
  const c = result.config;
  const g = c.gateway;
  const enabledPlugins = c.plugins.filter((p) => p.enabled).length;
  const lines = [
    `${path}: OK (_format_version ${c._format_version})`,
    `  services: ${c.services.length}, routes: ${c.routes.length}, jwt plugins: ${c.plugins.length} (${enabledPlugins} enabled), ` +
      `consumers: ${c.consumers.length}, credentials: ${c.jwt_secrets.length}`,
    `  proxy_listen ${addr(g.proxy_listen)}, admin_listen ${addr(g.admin_listen)}, workers ${g.workers}, log_level ${g.log_level}, http_engine ${g.http_engine}` +
      (g.authorizer_listen ? `, authorizer_listen ${addr([g.authorizer_listen])}` : ''),
    ...extensionLines(c),
    ...warnings,
  ];
  return { ok: true, text: lines.join('\n') };
}
