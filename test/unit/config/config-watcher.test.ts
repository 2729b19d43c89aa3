import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConfigWatcher, type ConfigWatcher } from '../../../src/config/config-watcher.js';
import { createConfigMapDir } from '../../helpers/configmap-dir.js';

let watcher: ConfigWatcher | null = null;
afterEach(() => {
  watcher?.close();
  watcher = null;
});

/** Starts a watcher whose changes are read one by one: `next()` resolves with the file's content at the next change. */
async function watchFile(path: string) {
  const waiting: Array<(text: string) => void> = [];
  const seen: string[] = [];
  watcher = await createConfigWatcher({
    path,
    debounceMs: 30,
    onChange() {
      const text = readFileSync(path, 'utf8');
      seen.push(text);
      waiting.shift()?.(text);
    },
  });
  return { seen, next: () => new Promise<string>((resolve) => waiting.push(resolve)) };
}

describe('config watcher', () => {
  it("reports kubelet's ConfigMap update (the ..data symlink swapped by rename) once per new content", async () => {
    const mount = createConfigMapDir('{"v":1}');
    const w = await watchFile(mount.path);
    const first = w.next();
    mount.publish('{"v":2}');
    expect(await first).toBe('{"v":2}');
    // Same bytes again (kubelet re-syncs): no change; the next real change is the only one reported.
    mount.publish('{"v":2}');
    const second = w.next();
    mount.publish('{"v":3}');
    expect(await second).toBe('{"v":3}');
    expect(w.seen).toEqual(['{"v":2}', '{"v":3}']);
  });

  it("reports an editor's rename-over-write and an in-place write of a plain file", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
    const path = join(dir, 'kong.json');
    writeFileSync(path, 'a');
    const w = await watchFile(path);
    const first = w.next();
    writeFileSync(join(dir, '.kong.json.swp'), 'b');
    renameSync(join(dir, '.kong.json.swp'), path);
    expect(await first).toBe('b');
    const second = w.next();
    writeFileSync(path, 'c');
    expect(await second).toBe('c');
  });

  it('coalesces a burst of writes into one change (debounced)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
    const path = join(dir, 'kong.json');
    writeFileSync(path, '0');
    const w = await watchFile(path);
    const change = w.next();
    for (let i = 1; i <= 20; i++) writeFileSync(path, String(i));
    expect(await change).toBe('20');
    const last = w.next();
    writeFileSync(path, 'end');
    expect(await last).toBe('end');
    expect(w.seen).toEqual(['20', 'end']);
  });

  it('follows a plain symlink to a file in another directory', async () => {
    const target = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
    const linkDir = mkdtempSync(join(tmpdir(), 'portcullis-watch-'));
    writeFileSync(join(target, 'real.json'), 'x');
    symlinkSync(join(target, 'real.json'), join(linkDir, 'kong.json'));
    const w = await watchFile(join(linkDir, 'kong.json'));
    const change = w.next();
    writeFileSync(join(target, 'real.json'), 'y');
    expect(await change).toBe('y');
  });
});
