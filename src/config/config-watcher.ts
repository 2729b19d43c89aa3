// Watches the config file's directory (kubelet's `..data` symlink swap, an editor's rename-over-write) and reports real content changes, debounced.
import { watch, type FSWatcher } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';

export interface ConfigWatcherOptions {
  /** The config path as given (may be a symlink, as a ConfigMap volume mounts it). */
  path: string;
  /** Called once per settled change of the file's content or target. */
  onChange(): void;
  /** Quiet time after the last directory event before the file is compared (a swap is several events). */
  debounceMs?: number;
  /** A slow re-check that catches a change no event reported (e.g. the watched directory itself replaced). */
  pollMs?: number;
  onError?(err: unknown): void;
}

export interface ConfigWatcher {
  close(): void;
}

const DEFAULT_DEBOUNCE_MS = 200;
const DEFAULT_POLL_MS = 5_000;

/** The content's hash, read through any symlinks: a retarget at identical bytes (or a touch) is no change. */
async function fingerprint(path: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    // Mid-swap the file can be missing for a moment: not a change yet, the next event settles it.
    return null;
  }
}

export async function createConfigWatcher(options: ConfigWatcherOptions): Promise<ConfigWatcher> {
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let last = await fingerprint(options.path);
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  let checking: Promise<void> = Promise.resolve();

  const check = (): void => {
    checking = checking.then(async () => {
      const now = await fingerprint(options.path);
      if (closed || now === null || now === last) return;
      last = now;
      options.onChange();
    });
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      check();
    }, debounceMs);
  };

  // The directory, not the file: a rename replaces the inode a file watch would follow. With a symlinked path the
  // link's directory sees kubelet's `..data` swap; the target's directory sees edits made behind a plain symlink.
  const dirs = new Set([dirname(options.path)]);
  const target = await realpath(options.path).catch(() => options.path);
  dirs.add(dirname(target));
  const watchers: FSWatcher[] = [];
  for (const dir of dirs) {
    try {
      const w = watch(dir, { persistent: false }, schedule);
      w.on('error', (err) => options.onError?.(err));
      watchers.push(w);
    } catch (err) {
      options.onError?.(err);
    }
  }
  const poll = setInterval(check, options.pollMs ?? DEFAULT_POLL_MS);
  poll.unref();

  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}
