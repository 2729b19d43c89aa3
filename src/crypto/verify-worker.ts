// Piscina worker: verifies one batch of asymmetric signatures against keys it keeps by id across tasks.
import type { KeyObject } from 'node:crypto';
import { JWT_ALGORITHMS } from '../config/types.js';
import { verifyAsymmetric } from './asymmetric.js';
import { decodeBatch, RESULT_UNKNOWN_KEY, type BatchTask } from './verify-batch.js';

/** Keys stay for the thread's life; ids are never reused, so a stale entry can only be unused, never wrong. */
const keys = new Map<number, KeyObject>();
const MAX_KEYS = 65536;

export default function verifyBatch(task: BatchTask): ArrayBuffer {
  if (task.keys !== undefined) {
    if (keys.size + task.keys.length > MAX_KEYS) keys.clear();
    for (let i = 0; i < task.keys.length; i += 2) keys.set(task.keys[i] as number, task.keys[i + 1] as KeyObject);
  }
  const batch = decodeBatch(task.buffer);
  const results = new Uint8Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    const key = keys.get(batch.keyId(i));
    if (key === undefined) {
      results[i] = RESULT_UNKNOWN_KEY;
      continue;
    }
    results[i] = verifyAsymmetric(JWT_ALGORITHMS[batch.alg(i)]!, key, batch.data(i), batch.signature(i));
  }
  return results.buffer;
}
