import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../', import.meta.url).pathname;
/** The folders a request runs through: their state lives in instances (a factory, the engine, ThreadRuntime). */
const DATA_PLANE = ['src/server', 'src/pipeline', 'src/proxy', 'src/auth', 'src/observability'];
/** Module-level state not yet moved into an instance, each with where it goes; the list may only shrink. */
const PENDING: Readonly<Record<string, string>> = {};

const MUTABLE_BINDING = /^(?:export )?let /;
/** A module-level collection or object literal without a read-only type: something may fill it at run time. */
const MUTABLE_COLLECTION =
  /^(?:export )?const \w+(?::\s*(?!\s|Readonly|readonly)[^=]+)? = (?:new (?:Map|Set|WeakMap|WeakSet|Array)\b|\[\]|\{\})/;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('data-plane module state', () => {
  it('keeps no module-level mutable state in the data-plane folders: scratch and caches belong to an instance', () => {
    const found: string[] = [];
    for (const file of DATA_PLANE.flatMap(sources)) {
      if (PENDING[file] !== undefined) continue;
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (MUTABLE_BINDING.test(line) || MUTABLE_COLLECTION.test(line)) found.push(`${file}:${i + 1}: ${line}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('lists as pending only files that still have such state', () => {
    for (const file of Object.keys(PENDING)) {
      const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
      expect(
        lines.some((l) => MUTABLE_BINDING.test(l) || MUTABLE_COLLECTION.test(l)),
        file,
      ).toBe(true);
    }
  });
});
