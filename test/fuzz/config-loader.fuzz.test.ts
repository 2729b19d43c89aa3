// Fuzzes the config loader: any text or mutated document loads or lists errors with JSON paths, never throws; valid ones compile.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { compileConfig } from '../../src/config/compile.js';
import { corpus, RUNS } from './fuzz-settings.js';

const VALID = {
  _format_version: '3.0',
  gateway: { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1, token_cache: { max_entries: 10 } },
  services: [
    {
      name: 's',
      url: 'http://127.0.0.1:3000',
      routes: [{ name: 'r', paths: ['/api'], methods: ['GET'] }],
      plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'], key_claim_name: 'iss' } }],
    },
  ],
  consumers: [{ username: 'u', custom_id: 'c', jwt_secrets: [{ key: 'k', secret: 's', algorithm: 'HS256' }] }],
};

/** Every [path, container] pair of a JSON document, so a mutation can hit any depth. */
function slots(doc: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(doc))
    doc.forEach((v, i) => {
      out.push(...slots(v, [...at, i]));
    });
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push(...slots(v, [...at, k]));
  return out;
}
const SLOTS = slots(VALID).filter((p) => p.length > 0);

function mutate(path: Array<string | number>, value: unknown, mode: 'set' | 'delete' | 'rename'): unknown {
  const doc = structuredClone(VALID) as Record<string, unknown>;
  let parent: Record<string | number, unknown> = doc;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (mode === 'delete') delete parent[last];
  else if (mode === 'rename' && !Array.isArray(parent)) {
    parent[`${String(last)}_x`] = parent[last];
    delete parent[last];
  } else parent[last] = value;
  return doc;
}

function check(text: string, format: 'json' | 'yaml'): void {
  const r = loadConfigText(text, format, 'fuzz');
  if (r.ok) {
    compileConfig(r.config, 1);
    return;
  }
  expect(r.errors.length).toBeGreaterThan(0);
  for (const e of r.errors) {
    expect(typeof e.path).toBe('string');
    expect(e.path.startsWith('$') || e.path === '').toBe(true);
    expect(e.message.length).toBeGreaterThan(0);
  }
}

describe('config loader (fuzzed)', () => {
  it('loads the base document', () => {
    expect(loadConfigText(JSON.stringify(VALID), 'json', 'fuzz').ok).toBe(true);
  });

  it('answers any single mutation of a valid document with a config or path-located errors, never a throw', () => {
    const value = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('', '\r\n', '\u0000', -1, 0, Number.POSITIVE_INFINITY, 2 ** 53, 'Пётр', null, [], {}),
    );
    fc.assert(
      fc.property(fc.constantFrom(...SLOTS), value, fc.constantFrom('set', 'delete', 'rename'), (path, v, mode) => {
        check(JSON.stringify(mutate(path, v, mode as 'set' | 'delete' | 'rename')), 'json');
      }),
      { numRuns: RUNS },
    );
  });

  it('answers arbitrary JSON values and arbitrary text (JSON and YAML) without throwing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => check(JSON.stringify(v), 'json')),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string(), fc.constantFrom('json', 'yaml'), (text, format) => check(text, format as 'json' | 'yaml')),
      { numRuns: RUNS, examples: corpus<string>('config-texts').map((t) => [t, 'yaml']) },
    );
  });
});
