import { describe, expect, it } from 'vitest';
import { decodeBatch, encodeBatch } from '../../../src/crypto/verify-batch.js';

describe('verification batch wire format', () => {
  it('round-trips key ids, algorithms, signing inputs (string or Buffer) and signatures in one buffer', () => {
    const items = [
      { keyId: 7, alg: 3, data: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0', signature: Buffer.from([1, 2, 3]) },
      { keyId: 9, alg: 12, data: Buffer.from('abc.def'), signature: Buffer.alloc(64, 0xaa) },
    ];
    const batch = decodeBatch(encodeBatch(items, items.length));
    expect(batch.count).toBe(2);
    expect([batch.keyId(0), batch.alg(0), batch.keyId(1), batch.alg(1)]).toEqual([7, 3, 9, 12]);
    expect(batch.data(0).toString('latin1')).toBe(items[0]!.data);
    expect(batch.data(1).toString()).toBe('abc.def');
    expect(batch.signature(0)).toEqual(Buffer.from([1, 2, 3]));
    expect(batch.signature(1)).toEqual(Buffer.alloc(64, 0xaa));
  });
});
