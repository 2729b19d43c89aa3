// Writes a config document back to its file atomically (temp file in the same directory, fsync, rename, fsync dir), one write at a time.
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { updateYamlText } from './yaml-update.js';

export interface ConfigWriter {
  /** Serializes and atomically replaces the file; writes run strictly one after another, in call order. */
  write(doc: unknown): Promise<void>;
  /** The file was re-read (e.g. on reload): later YAML writes keep the comments of this text. */
  rebase(text: string): void;
  /** The text the file should hold now (last written or rebased), null when unknown. */
  current(): string | null;
  /** Resolves when every write queued so far has finished. */
  idle(): Promise<void>;
}

/** The indentation the user's JSON uses (first indented line), 2 spaces when it cannot be told. */
export function detectJsonIndent(text: string): string | number {
  const m = /\n([ \t]+)["{[\]}]/.exec(text);
  if (!m) return 2;
  return m[1]!.startsWith('\t') ? '\t' : m[1]!.length;
}

/** JSON stays JSON (indentation kept); YAML keeps the comments and formatting of `previousYaml` where values are unchanged. */
export function serializeDocument(
  doc: unknown,
  format: 'json' | 'yaml',
  jsonIndent: string | number = 2,
  previousYaml: string | null = null,
): string {
  if (format === 'json') return `${JSON.stringify(doc, null, jsonIndent)}\n`;
  return updateYamlText(previousYaml, doc);
}

/** Replaces `path` with `text` so that a crash leaves either the old or the new file, never a torn one. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const mode = await stat(path).then(
    (s) => s.mode & 0o777,
    () => 0o644,
  );
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.chmod(mode);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  } finally {
    await fh.close().catch(() => undefined);
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // The rename is durable only once the directory entry is flushed.
  const dh = await open(dir, 'r');
  try {
    await dh.sync().catch(() => undefined);
  } finally {
    await dh.close();
  }
}

export function createConfigWriter(path: string, format: 'json' | 'yaml', baseText: string | null = null): ConfigWriter {
  let chain: Promise<void> = Promise.resolve();
  let previous = baseText;
  const jsonIndent = format === 'json' && baseText !== null ? detectJsonIndent(baseText) : 2;
  return {
    write(doc) {
      const text = serializeDocument(doc, format, jsonIndent, previous);
      previous = text;
      const run = chain.then(() => writeFileAtomic(path, text));
      chain = run.catch(() => undefined);
      return run;
    },
    rebase(text) {
      previous = text;
    },
    current() {
      return previous;
    },
    idle() {
      return chain;
    },
  };
}
