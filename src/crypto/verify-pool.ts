// Verifies RS*/PS*/ES*/EdDSA signatures on a piscina pool: batched per event-loop turn, keys sent once per thread, bounded.
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { AuthStatus } from '../auth/auth-status.js';
import { JWT_ALGORITHMS, type JwtAlgorithm } from '../config/types.js';
import { encodeBatch, RESULT_UNKNOWN_KEY, type BatchItemInput, type BatchTask } from './verify-batch.js';
import { fitsAlgorithm } from './jws-algorithms.js';
import { verifyAsymmetric, type SignatureStatus } from './asymmetric.js';
import { emptyVerifierStats, type VerifierStats } from './verifier-types.js';

export interface VerifyPoolOptions {
  /** Pool threads (default: available cores − 1, at least 1). */
  threads?: number;
  /** Verifications queued or in flight before the answer is `overloaded` (default 4096). */
  maxPending?: number;
  /** Largest batch per message (default 64); a turn with more items is split across threads. */
  maxBatch?: number;
  /** execArgv for pool threads (tests pass a TypeScript loader). Default: inherited. */
  execArgv?: string[];
  /** A batch not answered within this many ms is verified inline instead (default 5000). */
  batchTimeoutMs?: number;
  /** Called when a batch fails in the pool (e.g. a thread could not start); those items are verified inline instead. */
  onError?: (err: unknown) => void;
}

export interface VerifyPool {
  /** The authenticator's AsymmetricVerify: `invalidSignature` at once for an unusable key/signature, `overloaded` when full, else a Promise. */
  verify(alg: JwtAlgorithm, key: KeyObject, signingInput: string | Buffer, signature: Buffer): SignatureStatus | Promise<SignatureStatus>;
  stats(): VerifierStats;
  close(): Promise<void>;
}

interface KeyRecord {
  readonly id: number;
  /** Batches that carried this key; once it reached the thread count every thread has very probably seen it. */
  sent: number;
}

interface Pending extends BatchItemInput {
  key: KeyRecord;
  keyObject: KeyObject;
  resolve(status: SignatureStatus): void;
}

const ALG_CODE = new Map<string, number>(JWT_ALGORITHMS.map((a, i) => [a, i]));

function workerFile(): string {
  const url = new URL(import.meta.url.endsWith('.ts') ? './verify-worker.ts' : './verify-worker.js', import.meta.url);
  return fileURLToPath(url);
}

export function createVerifyPool(options: VerifyPoolOptions = {}): VerifyPool {
  const threads = Math.max(1, options.threads ?? availableParallelism() - 1);
  const maxPending = options.maxPending ?? 4096;
  const maxBatch = Math.max(1, options.maxBatch ?? 64);
  const batchTimeoutMs = options.batchTimeoutMs ?? 5000;
  // Threads start with the first verification, so a config without asymmetric credentials costs nothing.
  let piscina: Piscina | null = null;
  const start = (): Piscina => {
    const p = new Piscina({
      filename: workerFile(),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 2 ** 30,
      ...(options.execArgv !== undefined ? { execArgv: options.execArgv } : {}),
    });
    // A thread error outside a task is emitted on the pool; unhandled it would end this thread.
    p.on('error', (err: unknown) => {
      stats.poolErrors = (stats.poolErrors ?? 0) + 1;
      options.onError?.(err);
    });
    return p;
  };
  const stats = emptyVerifierStats('pool');
  const ids = new WeakMap<KeyObject, KeyRecord>();
  let nextId = 1;
  let queue: Pending[] = [];
  let scheduled = false;
  let closed = false;

  function recordOf(key: KeyObject): KeyRecord {
    let rec = ids.get(key);
    if (rec === undefined) {
      rec = { id: nextId++, sent: 0 };
      ids.set(key, rec);
    }
    return rec;
  }

  function finish(items: readonly Pending[], results: Uint8Array | null): void {
    let retry: Pending[] | null = null;
    for (let i = 0; i < items.length; i++) {
      // No results: the pool was closed under the batch, which then fails as a bad signature would.
      const code = results === null ? AuthStatus.invalidSignature : results[i];
      if (code === RESULT_UNKNOWN_KEY) {
        (retry ??= []).push(items[i]!);
        continue;
      }
      stats.pending--;
      stats.completed++;
      items[i]!.resolve(code === AuthStatus.ok ? AuthStatus.ok : AuthStatus.invalidSignature);
    }
    if (retry !== null) send(retry, true);
  }

  function send(items: Pending[], withAllKeys: boolean): void {
    if (closed) {
      finish(items, null);
      return;
    }
    let keys: Array<number | KeyObject> | undefined;
    const seen = new Set<number>();
    for (const it of items) {
      const rec = it.key;
      if (seen.has(rec.id)) continue;
      seen.add(rec.id);
      if (withAllKeys || rec.sent < threads) {
        rec.sent++;
        (keys ??= []).push(rec.id, it.keyObject);
        stats.keyUploads++;
      }
    }
    const buffer = encodeBatch(items, items.length);
    const task: BatchTask = keys === undefined ? { buffer } : { buffer, keys };
    stats.batches++;
    piscina ??= start();
    let settled = false;
    // One timer per message (not per verification): a thread that never answers must not hold requests forever.
    const timer = setTimeout(() => fail(new Error(`verify pool batch not answered within ${batchTimeoutMs} ms`)), batchTimeoutMs);
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (closed) {
        finish(items, null);
        return;
      }
      // A broken pool must not turn valid tokens into 401s: answer this batch inline, and say so.
      stats.poolErrors = (stats.poolErrors ?? 0) + 1;
      options.onError?.(err);
      const results = new Uint8Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const it = items[i]!;
        results[i] = verifyAsymmetric(JWT_ALGORITHMS[it.alg]!, it.keyObject, it.data, it.signature);
      }
      finish(items, results);
    };
    piscina.run(task, { transferList: [buffer] }).then((out: ArrayBuffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish(items, new Uint8Array(out));
    }, fail);
  }

  function flush(): void {
    scheduled = false;
    const items = queue;
    queue = [];
    const n = items.length;
    if (n === 0) return;
    // Spread one turn's work over every thread, but never more than maxBatch per message.
    const chunks = Math.max(Math.min(threads, n), Math.ceil(n / maxBatch));
    const size = Math.ceil(n / chunks);
    if (size >= n) {
      send(items, false);
      return;
    }
    for (let i = 0; i < n; i += size) send(items.slice(i, i + size), false);
  }

  return {
    verify(alg, key, signingInput, signature) {
      if (!fitsAlgorithm(alg, key, signature)) return AuthStatus.invalidSignature;
      if (stats.pending >= maxPending || closed) {
        stats.rejectedFull++;
        return AuthStatus.overloaded;
      }
      stats.submitted++;
      stats.pending++;
      const rec = recordOf(key);
      return new Promise<SignatureStatus>((resolve) => {
        queue.push({ keyId: rec.id, key: rec, keyObject: key, alg: ALG_CODE.get(alg)!, data: signingInput, signature, resolve });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    stats: () => ({ ...stats }),
    async close() {
      closed = true;
      if (queue.length > 0) flush();
      await piscina?.destroy();
    },
  };
}
