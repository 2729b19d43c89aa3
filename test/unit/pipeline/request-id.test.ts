// Request ids: 32 lower-case hex characters like Kong's, unique within a worker, distinct prefixes across workers.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRequestIds, requestIdText, writeCounterHex } from '../../../src/pipeline/request-id.js';

describe('request ids', () => {
  it('are 32 hex characters, different every time', () => {
    const ids = createRequestIds();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = requestIdText(ids.prefix, ids.next());
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });

  it('have a different random prefix per generator', () => {
    expect(createRequestIds().prefix).toMatch(/^[0-9a-f]{20}$/);
    expect(createRequestIds().prefix).not.toBe(createRequestIds().prefix);
  });

  it("are written as bytes exactly as their text's last 12 characters, around every digit boundary", () => {
    const prefix = 'abcdef0123456789abcd';
    const bytes = Buffer.alloc(40, 0x78);
    const check = (counter: number) => {
      writeCounterHex(bytes, 24, counter);
      expect(bytes.toString('latin1', 24, 36)).toBe(requestIdText(prefix, counter).slice(20));
      expect(bytes.toString('latin1', 0, 24) + bytes.toString('latin1', 36)).toBe('x'.repeat(28));
    };
    for (const counter of [0, 1, 15, 16, 0xffffff, 0x1000000, 0x1000001, 2 ** 32 - 1, 2 ** 32, 2 ** 48 - 1]) check(counter);
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), check));
  });
});
