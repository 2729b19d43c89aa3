// Owns the admin's current document and runs writes one at a time: validate → persist the file → apply to workers → answer.
import { readFileSync } from 'node:fs';
import type { ConfigError, ValidatedConfig } from '../config/types.js';
import { formatForPath, readConfigFile } from '../config/load.js';
import { parseConfigText } from '../config/parse.js';
import { createConfigWriter, type ConfigWriter } from '../config/persist.js';
import { GATEWAY_MESSAGES } from '../errors.js';
import { stateFromDocument, type AdminState } from './entities/admin-state.js';
import { ADMIN_MESSAGES, declarativeInvalid } from './entities/kong-errors.js';
import { handleAdminRequest, type AdminRequest, type AdminResponse, type RouterOptions } from './admin-router.js';

export type DocumentLoad = { ok: true; state: AdminState; format: 'json' | 'yaml'; text: string } | { ok: false; errors: ConfigError[] };

/** Reads, parses and validates the config file, keeping the raw document for admin writes. */
export function loadDocumentFile(path: string): DocumentLoad {
  const read = readConfigFile(path);
  if (!read.ok) return { ok: false, errors: [read.error] };
  const { text } = read;
  const format = formatForPath(path);
  const parsed = parseConfigText(text, format);
  if (!parsed.ok) return { ok: false, errors: parsed.errors };
  const r = stateFromDocument(parsed.value);
  if (!r.ok) return r;
  return { ok: true, state: r.state, format, text };
}

export interface AdminStoreOptions {
  configPath: string;
  initial: Extract<DocumentLoad, { ok: true }>;
  /** Pushes a validated config to every worker; resolves once they all run it (failures reported, not thrown). */
  apply(config: ValidatedConfig, warnings: readonly ConfigError[]): Promise<ApplyOutcome>;
  /**
   * What `start` refuses beyond validation (the resolve step: an unreadable admin token, an exposed Admin API without
   * one). A document it refuses changes nothing: it is not adopted, written or applied.
   */
  check?(config: ValidatedConfig): ConfigError[];
  /** Unix seconds for created_at / updated_at. */
  now?: () => number;
  info?: RouterOptions['info'];
  /** Called when persisting fails (the write is then answered with 500 and not applied). */
  onError?: (err: unknown) => void;
  /** For tests: replaces the atomic file writer. */
  writer?: ConfigWriter;
}

export interface ApplyOutcome {
  ok: boolean;
  errors?: ConfigError[];
}

export interface AdminStore {
  readonly state: AdminState;
  /** Answers one Admin API request; reads use the current state, writes queue behind earlier writes. */
  handle(req: AdminRequest): Promise<AdminResponse>;
  /**
   * Re-reads the file (e.g. on SIGHUP) in the same queue; an invalid file, or one `check` refuses, leaves everything as it was.
   * `apply` replaces the store's apply for this reload (so the caller can tell the two apart).
   */
  reloadFromFile(apply?: AdminStoreOptions['apply']): Promise<ApplyOutcome>;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createAdminStore(options: AdminStoreOptions): AdminStore {
  let state = options.initial.state;
  const writer = options.writer ?? createConfigWriter(options.configPath, options.initial.format, options.initial.text);
  const router: RouterOptions = { now: options.now ?? (() => Math.floor(Date.now() / 1000)), info: options.info };
  let queue: Promise<unknown> = Promise.resolve();

  function enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  }

  /** A hand edit not yet reloaded would be overwritten by the next write; refuse instead of losing it. */
  function changedOnDisk(): boolean {
    const expected = writer.current();
    if (expected === null) return false;
    try {
      return readFileSync(options.configPath, 'utf8') !== expected;
    } catch {
      return true;
    }
  }

  async function write(req: AdminRequest): Promise<AdminResponse> {
    if (changedOnDisk()) return { status: 409, body: { message: ADMIN_MESSAGES.changedOnDisk } };
    const res = handleAdminRequest(state, req, router);
    if (!res.next) return res;
    const refused = options.check?.(res.next.config) ?? [];
    if (refused.length > 0) return declarativeInvalid(refused);
    try {
      await writer.write(res.next.doc);
    } catch (err) {
      options.onError?.(err);
      return { status: 500, body: { message: GATEWAY_MESSAGES.unexpected } };
    }
    // The file is the source of truth from here on: adopt first, so a failed worker restarts on the new config.
    state = res.next;
    await options.apply(res.next.config, res.next.warnings);
    return { status: res.status, body: res.body };
  }

  return {
    get state() {
      return state;
    },
    handle(req) {
      if (!WRITE_METHODS.has(req.method.toUpperCase())) return Promise.resolve(handleAdminRequest(state, req, router));
      return enqueue(() => write(req));
    },
    reloadFromFile(apply = options.apply) {
      return enqueue(async () => {
        const loaded = loadDocumentFile(options.configPath);
        if (!loaded.ok) return { ok: false, errors: loaded.errors };
        const refused = options.check?.(loaded.state.config) ?? [];
        if (refused.length > 0) return { ok: false, errors: refused };
        state = loaded.state;
        writer.rebase(loaded.text);
        return apply(loaded.state.config, loaded.state.warnings);
      });
    },
  };
}
