// Request ids: 32 lower-case hex characters like Kong's, unique within a worker, distinct prefixes across workers.
import { describe, expect, it } from 'vitest';
import { createRequestIdGenerator } from '../../../src/pipeline/request-id.js';

describe('createRequestIdGenerator', () => {
  it('returns 32 hex characters, different every call', () => {
    const ids = createRequestIdGenerator();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const id = ids.next();
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(1000);
  });

  it('uses a different random prefix per generator', () => {
    expect(createRequestIdGenerator().next().slice(0, 20)).not.toBe(createRequestIdGenerator().next().slice(0, 20));
  });
});
