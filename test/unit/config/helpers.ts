// Test helpers for config tests: load a document object and list its errors as `path: message` lines.
import { loadConfigText } from '../../../src/config/load.js';
import type { ConfigError, ValidatedConfig } from '../../../src/config/types.js';

export function load(doc: unknown) {
  return loadConfigText(JSON.stringify(doc), 'json', 'test.json');
}

export function errorLines(doc: unknown): string[] {
  const r = load(doc);
  return r.ok ? [] : r.errors.map((e: ConfigError) => `${e.path}: ${e.message}`);
}

export function valid(doc: unknown): ValidatedConfig {
  const r = load(doc);
  if (!r.ok) throw new Error(`expected a valid config, got:\n${r.errors.map((e) => `${e.path}: ${e.message}`).join('\n')}`);
  return r.config;
}

/** A minimal valid document with one service and route, extended by `extra`. */
export function base(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    _format_version: '3.0',
    services: [{ name: 'svc', url: 'http://127.0.0.1:3000', routes: [{ name: 'r1', paths: ['/api'] }] }],
    ...extra,
  };
}
