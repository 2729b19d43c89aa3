// Reads, parses and validates a config file into a ValidatedConfig, collecting every error with its JSON path.
import { readFileSync } from 'node:fs';
import type { ConfigError, LoadResult } from './types.js';
import { parseConfigText } from './parse.js';
import { flattenDocument } from './flatten.js';
import { createSink } from './validate-context.js';

export function formatForPath(path: string): 'json' | 'yaml' {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'json';
}

export function loadConfigFile(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, errors: [{ path: '$', message: `cannot read config file (${code}): ${(err as Error).message}` }], warnings: [], source: path };
  }
  return loadConfigText(text, formatForPath(path), path);
}

export function loadConfigText(text: string, format: 'json' | 'yaml', source: string): LoadResult {
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [], source };
  const sink = createSink();
  const config = flattenDocument(sink, parsed.value);
  if (sink.errors.length > 0 || config === null) return { ok: false, errors: sink.errors, warnings: sink.warnings, source };
  return { ok: true, config, warnings: sink.warnings, source };
}

/** One line per error: `<path>: <message>`. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
