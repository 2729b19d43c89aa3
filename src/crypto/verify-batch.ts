// The wire format of one verification batch: a single transferable ArrayBuffer (index of int32s, then the bytes).
import type { KeyObject } from 'node:crypto';

/**
 * Per-item results sent back by the worker are the verifier's AuthStatus (`ok` or `invalidSignature`), or this
 * wire-only code (outside AuthStatus's range): the thread has not been sent the key yet.
 */
export const RESULT_UNKNOWN_KEY = 255;

/** What the pool sends to a worker: the batch buffer (transferred), plus keys new to some thread as [id, key, id, key...]. */
export interface BatchTask {
  buffer: ArrayBuffer;
  keys?: Array<number | KeyObject>;
}

export interface BatchItemInput {
  keyId: number;
  alg: number;
  data: string | Buffer;
  signature: Buffer;
}

const INTS_PER_ITEM = 6;

/** Encodes items into one buffer: [count, (keyId, alg, dataOff, dataLen, sigOff, sigLen)*] then the payload bytes. */
export function encodeBatch(items: readonly BatchItemInput[], count: number): ArrayBuffer {
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const it = items[i]!;
    bytes += it.data.length + it.signature.length;
  }
  const indexBytes = (1 + count * INTS_PER_ITEM) * 4;
  const ab = new ArrayBuffer(indexBytes + bytes);
  const index = new Int32Array(ab, 0, 1 + count * INTS_PER_ITEM);
  const body = Buffer.from(ab, indexBytes, bytes);
  index[0] = count;
  let off = 0;
  for (let i = 0; i < count; i++) {
    const it = items[i]!;
    const base = 1 + i * INTS_PER_ITEM;
    index[base] = it.keyId;
    index[base + 1] = it.alg;
    // The signing input is base64url text (ASCII), so latin1 writes exactly one byte per character.
    const dataLen = typeof it.data === 'string' ? body.write(it.data, off, 'latin1') : it.data.copy(body, off);
    index[base + 2] = indexBytes + off;
    index[base + 3] = dataLen;
    off += dataLen;
    const sigLen = it.signature.copy(body, off);
    index[base + 4] = indexBytes + off;
    index[base + 5] = sigLen;
    off += sigLen;
  }
  return ab;
}

export interface DecodedBatch {
  readonly count: number;
  keyId(i: number): number;
  alg(i: number): number;
  data(i: number): Buffer;
  signature(i: number): Buffer;
}

export function decodeBatch(ab: ArrayBuffer): DecodedBatch {
  const count = new Int32Array(ab, 0, 1)[0]!;
  const index = new Int32Array(ab, 0, 1 + count * INTS_PER_ITEM);
  return {
    count,
    keyId: (i) => index[1 + i * INTS_PER_ITEM]!,
    alg: (i) => index[2 + i * INTS_PER_ITEM]!,
    data: (i) => Buffer.from(ab, index[3 + i * INTS_PER_ITEM]!, index[4 + i * INTS_PER_ITEM]!),
    signature: (i) => Buffer.from(ab, index[5 + i * INTS_PER_ITEM]!, index[6 + i * INTS_PER_ITEM]!),
  };
}
