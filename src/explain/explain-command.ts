// `portcullis explain`: loads the config, explains one request, prints it (text or JSON) and picks the exit code.
import { compileConfig } from '../config/compile.js';
import { formatConfigErrors, loadConfigFile } from '../config/load.js';
import { explainRequest, type ExplainInput } from './explain.js';
import { renderExplanation } from './render.js';

export interface ExplainCommandOptions {
  configPath: string;
  method?: string;
  host?: string;
  path?: string;
  token?: string;
  /** `Name: value` strings. */
  headers: string[];
  json: boolean;
}

/** 0: the request would be allowed; 1: refused; 2: usage or config error. */
export interface ExplainCommandResult {
  code: 0 | 1 | 2;
  stdout: string;
  stderr: string;
}

function usage(message: string): ExplainCommandResult {
  return { code: 2, stdout: '', stderr: `portcullis explain: ${message}\n` };
}

export function parseHeaderFlag(raw: string): [string, string] | null {
  const colon = raw.indexOf(':');
  if (colon <= 0) return null;
  const name = raw.slice(0, colon).trim();
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) return null;
  return [name, raw.slice(colon + 1).trim()];
}

export async function runExplainCommand(options: ExplainCommandOptions): Promise<ExplainCommandResult> {
  if (options.path === undefined || options.path === '') return usage('--path is required (e.g. --path /api/users)');
  if (!options.path.startsWith('/')) return usage(`--path must start with '/', got '${options.path}'`);
  if (options.method !== undefined && !/^[A-Za-z]+$/.test(options.method))
    return usage(`--method must be an HTTP method, got '${options.method}'`);
  const headers: Array<[string, string]> = [];
  for (const raw of options.headers) {
    const h = parseHeaderFlag(raw);
    if (h === null) return usage(`--header expects 'Name: value', got '${raw}'`);
    headers.push(h);
  }
  if (options.token !== undefined && headers.some(([n]) => n.toLowerCase() === 'authorization')) {
    return usage('--token and an Authorization --header are exclusive');
  }
  const loaded = loadConfigFile(options.configPath);
  if (!loaded.ok)
    return {
      code: 2,
      stdout: '',
      stderr: `portcullis explain: invalid config ${options.configPath}:\n${formatConfigErrors(loaded.errors)}\n`,
    };
  const input: ExplainInput = { method: options.method, host: options.host, path: options.path, headers, token: options.token };
  const e = await explainRequest(compileConfig(loaded.config, 1), input);
  return { code: e.verdict.allowed ? 0 : 1, stdout: options.json ? `${JSON.stringify(e, null, 2)}\n` : renderExplanation(e), stderr: '' };
}
