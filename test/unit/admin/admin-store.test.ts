import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createAdminStore, loadDocumentFile, type AdminStore } from '../../../src/admin/admin-store.js';
import type { ValidatedConfig } from '../../../src/config/types.js';
import { serializeDocument, writeFileAtomic, detectJsonIndent } from '../../../src/config/persist.js';
import { json } from './helpers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-admin-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function openStore(file: string, text: string): { store: AdminStore; applied: ValidatedConfig[] } {
  const path = join(dir, file);
  writeFileSync(path, text);
  const loaded = loadDocumentFile(path);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const applied: ValidatedConfig[] = [];
  let t = 1_700_000_000;
  const store = createAdminStore({
    configPath: path,
    initial: loaded,
    now: () => t++,
    apply: async (c) => {
      applied.push(c);
      return { ok: true };
    },
  });
  return { store, applied };
}

const req = (method: string, path: string, body: unknown = undefined) => ({
  method,
  path,
  query: new URLSearchParams(),
  body: body === undefined ? null : json(body),
});

describe('admin store', () => {
  it("persists a write, applies it and answers with Kong's entity", async () => {
    const { store, applied } = openStore('kong.json', '{\n    "_format_version": "3.0"\n}\n');
    const res = await store.handle(req('POST', '/consumers', { username: 'bob' }));
    expect(res.status).toBe(201);
    expect(applied).toHaveLength(1);
    expect(applied[0]!.consumers[0]!.username).toBe('bob');
    const text = readFileSync(join(dir, 'kong.json'), 'utf8');
    expect(text).toBe(
      '{\n    "_format_version": "3.0",\n    "consumers": [\n        {\n            "username": "bob",\n' +
        '            "created_at": 1700000000,\n            "updated_at": 1700000000\n        }\n    ]\n}\n',
    );
  });

  it('does not persist or apply a rejected write', async () => {
    const { store, applied } = openStore('kong.json', '{"_format_version": "3.0"}');
    const res = await store.handle(req('POST', '/consumers', {}));
    expect(res.status).toBe(400);
    expect(applied).toHaveLength(0);
    expect(readFileSync(join(dir, 'kong.json'), 'utf8')).toBe('{"_format_version": "3.0"}');
  });

  it('loses no update under concurrent writes, and the file always parses', async () => {
    const { store } = openStore('kong.json', '{"_format_version": "3.0"}');
    const path = join(dir, 'kong.json');
    let reads = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        JSON.parse(readFileSync(path, 'utf8'));
        reads++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => store.handle(req('POST', '/consumers', { username: `u${i}` }))));
    reading = false;
    await reader;
    expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.consumers.map((c: { username: string }) => c.username).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `u${i}`).sort());
    expect(reads).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual(['kong.json']);
  });

  it('refuses a write with 409 when the file was edited by hand and not reloaded, and accepts it after a reload', async () => {
    const { store } = openStore('kong.json', '{"_format_version": "3.0"}');
    const edited = '{"_format_version": "3.0", "consumers": [{"username": "hand"}]}';
    writeFileSync(join(dir, 'kong.json'), edited);
    const res = await store.handle(req('POST', '/consumers', { username: 'api' }));
    expect(res.status).toBe(409);
    expect(readFileSync(join(dir, 'kong.json'), 'utf8')).toBe(edited);
    await store.reloadFromFile();
    expect((await store.handle(req('POST', '/consumers', { username: 'api' }))).status).toBe(201);
    expect(JSON.parse(readFileSync(join(dir, 'kong.json'), 'utf8')).consumers.map((c: { username: string }) => c.username)).toEqual([
      'hand',
      'api',
    ]);
  });

  it('keeps YAML files YAML', async () => {
    const { store } = openStore('kong.yml', '_format_version: "3.0"\nconsumers:\n  - username: bob\n');
    await store.handle(req('POST', '/consumers/bob/jwt', { key: 'k', secret: 's' }));
    const doc = parseYaml(readFileSync(join(dir, 'kong.yml'), 'utf8'));
    expect(doc.consumers[0].jwt_secrets[0]).toMatchObject({ key: 'k', secret: 's' });
  });

  it('reloads the file through the same queue', async () => {
    const { store, applied } = openStore('kong.json', '{"_format_version": "3.0"}');
    writeFileSync(join(dir, 'kong.json'), '{"_format_version": "3.0", "consumers": [{"username": "x"}]}');
    expect(await store.reloadFromFile()).toEqual({ ok: true });
    expect(applied).toHaveLength(1);
    expect((await store.handle(req('GET', '/consumers/x'))).status).toBe(200);
    writeFileSync(join(dir, 'kong.json'), '{"_format_version": "9"}');
    expect((await store.reloadFromFile()).ok).toBe(false);
    expect((await store.handle(req('GET', '/consumers/x'))).status).toBe(200);
  });

  it('answers 500 and keeps the old state when the file cannot be written', async () => {
    const path = join(dir, 'kong.json');
    writeFileSync(path, '{"_format_version": "3.0"}');
    const loaded = loadDocumentFile(path);
    if (!loaded.ok) throw new Error('load');
    const store = createAdminStore({
      configPath: path,
      initial: loaded,
      apply: async () => ({ ok: true }),
      writer: {
        write: () => Promise.reject(new Error('disk full')),
        rebase: () => undefined,
        current: () => null,
        idle: () => Promise.resolve(),
      },
    });
    expect((await store.handle(req('POST', '/consumers', { username: 'a' }))).status).toBe(500);
    expect((await store.handle(req('GET', '/consumers/a'))).status).toBe(404);
  });
});

describe('persist', () => {
  it('replaces the file atomically, keeping its mode and leaving no temp file', async () => {
    const path = join(dir, 'c.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o640);
    await writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['c.json']);
  });
  it('leaves the old file untouched when the write fails', async () => {
    const path = join(dir, 'missing-dir', 'c.json');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow();
  });
  it('detects the JSON indentation and serializes YAML without aliases', () => {
    expect(detectJsonIndent('{\n\t"a": 1\n}')).toBe('\t');
    expect(detectJsonIndent('{"a":1}')).toBe(2);
    const shared = { x: 1 };
    expect(serializeDocument({ a: shared, b: shared }, 'yaml')).toBe('a:\n  x: 1\nb:\n  x: 1\n');
  });
});
