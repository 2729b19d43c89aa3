// PEM files for engines that load certificates by file name (uWS): a private 0700 directory, 0600 files, removed on stop.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PemFileNames {
  readonly cert_file_name: string;
  readonly key_file_name: string;
}

export interface PemFiles {
  /** Writes (once per distinct content) the pair's files and returns their names. */
  write(cert: string, key: string): PemFileNames;
  /** Deletes the directory and every file in it. */
  remove(): void;
}

export function createPemFiles(): PemFiles {
  // mkdtemp makes the directory 0700; the key files inside are 0600 besides.
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-tls-'));
  const written = new Map<string, PemFileNames>();
  return {
    write(cert, key) {
      // Named by content, so a rotated certificate gets new files while connections still use the old ones.
      const id = createHash('sha256').update(cert).update('\0').update(key).digest('hex').slice(0, 32);
      let names = written.get(id);
      if (names === undefined) {
        names = { cert_file_name: join(dir, `${id}.crt`), key_file_name: join(dir, `${id}.key`) };
        writeFileSync(names.cert_file_name, cert, { mode: 0o600 });
        writeFileSync(names.key_file_name, key, { mode: 0o600 });
        written.set(id, names);
      }
      return names;
    },
    remove() {
      written.clear();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
