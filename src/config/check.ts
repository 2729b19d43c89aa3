// `portcullis check --config FILE`: validates a file and renders either every error or a summary of what it configures.
import { formatConfigErrors, loadConfigFile } from './load.js';
import type { ListenerSpec } from './types.js';
import { formatListener } from './listen-spec.js';

export interface CheckResult {
  ok: boolean;
  text: string;
}

function addr(specs: readonly ListenerSpec[] | null): string {
  return specs === null ? 'off' : specs.map(formatListener).join(', ');
}

export function checkConfig(path: string): CheckResult {
  const result = loadConfigFile(path);
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
    `  services: ${c.services.length}, routes: ${c.routes.length}, jwt plugins: ${c.plugins.length} (${enabledPlugins} enabled), `
      + `consumers: ${c.consumers.length}, credentials: ${c.jwt_secrets.length}`,
    `  proxy_listen ${addr(g.proxy_listen)}, admin_listen ${addr(g.admin_listen)}, workers ${g.workers}, log_level ${g.log_level}, http_engine ${g.http_engine}`,
    ...warnings,
  ];
  return { ok: true, text: lines.join('\n') };
}
