// Reads, parses and validates a config file (then generates omitted credential secrets), collecting every error with its JSON path.
import { readFileSync } from 'node:fs';
import type { ConfigError, LoadResult, ValidatedConfig, ValidatedDocument } from './types.js';
import { parseConfigText } from './parse.js';
import { flattenDocument } from './flatten.js';
import { withGeneratedSecrets } from './generate-secrets.js';
import { createSink } from './validate-context.js';

export function formatForPath(path: string): 'json' | 'yaml' {
  return /\.ya?ml$/i.test(path) ? 'yaml' : 'json';
}

/** The file's text, or the error that says why it cannot be read. */
export function readConfigFile(path: string): { ok: true; text: string } | { ok: false; error: ConfigError } {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, error: { path: '$', message: `cannot read config file (${code}): ${(err as Error).message}` } };
  }
}

/** The file read and parsed (JSON or YAML by its extension), not yet validated. */
export function readConfigDocument(path: string): { ok: true; document: unknown } | { ok: false; errors: ConfigError[] } {
  const read = readConfigFile(path);
  if (!read.ok) return { ok: false, errors: [read.error] };
  const parsed = parseConfigText(read.text, formatForPath(path));
  return parsed.ok ? { ok: true, document: parsed.value } : parsed;
}

export function loadConfigFile(path: string): LoadResult {
  const read = readConfigFile(path);
  if (!read.ok) return { ok: false, errors: [read.error], warnings: [], source: path };
  return loadConfigText(read.text, formatForPath(path), path);
}

export function loadConfigText(text: string, format: 'json' | 'yaml', source: string): LoadResult {
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: [], source };
  return { ...validateConfigDocument(parsed.value), source };
}

export type Validation<C> =
  | { ok: true; config: C; warnings: ConfigError[] }
  | { ok: false; errors: ConfigError[]; warnings: ConfigError[] };

export type DocumentValidation = Validation<ValidatedConfig>;

/** Validation alone: every error, or the document's config and its warnings. Deterministic (no generated secrets). */
export function validateDocument(doc: unknown): Validation<ValidatedDocument> {
  const sink = createSink();
  const config = flattenDocument(sink, doc);
  if (sink.errors.length > 0 || config === null) return { ok: false, errors: sink.errors, warnings: sink.warnings };
  return { ok: true, config, warnings: sink.warnings };
}

/**
 * What every document a gateway runs goes through (file, reload, Admin API draft): validation, then the explicit
 * step that generates the credential keys and secrets the file omits.
 */
export function validateConfigDocument(doc: unknown): DocumentValidation {
  const v = validateDocument(doc);
  return v.ok ? { ...v, config: withGeneratedSecrets(v.config) } : v;
}

/** One line per error: `<path>: <message>`. */
export function formatConfigErrors(errors: readonly ConfigError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join('\n');
}
