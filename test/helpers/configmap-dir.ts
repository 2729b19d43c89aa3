// A directory laid out as kubelet mounts a ConfigMap: `config.json -> ..data/config.json`, `..data -> ..<timestamp>`, swapped by rename.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ConfigMapDir {
  /** The path a container reads: the `config.json` symlink. */
  readonly path: string;
  /** Publishes a new version the way kubelet does: new timestamped dir, new `..data_tmp` link, rename over `..data`. */
  publish(text: string): void;
}

export function createConfigMapDir(initial: string): ConfigMapDir {
  const root = mkdtempSync(join(tmpdir(), 'portcullis-cm-'));
  let version = 0;
  const writeVersion = (text: string): string => {
    const name = `..2026_01_01_00_00_00.${++version}`;
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'config.json'), text);
    return name;
  };
  symlinkSync(writeVersion(initial), join(root, '..data'));
  symlinkSync(join('..data', 'config.json'), join(root, 'config.json'));
  return {
    path: join(root, 'config.json'),
    publish(text) {
      const name = writeVersion(text);
      symlinkSync(name, join(root, '..data_tmp'));
      renameSync(join(root, '..data_tmp'), join(root, '..data'));
    },
  };
}
