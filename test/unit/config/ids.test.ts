import { describe, expect, it } from 'vitest';
import { isUuid, randomAlphanumeric32, uuidV5 } from '../../../src/config/ids.js';

describe('ids', () => {
  it('computes RFC UUIDv5 values (python.org in the DNS namespace)', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
  });
  it('derives the same id for the same name in the project namespace', () => {
    expect(uuidV5('services:a')).toBe(uuidV5('services:a'));
    expect(uuidV5('services:a')).not.toBe(uuidV5('routes:a'));
  });
  it('recognises UUIDs', () => {
    expect(isUuid('886313e1-3b8a-5372-9b90-0c9aee199e5d')).toBe(true);
    expect(isUuid('886313e1-3b8a-5372-9b90-0c9aee199e5')).toBe(false);
  });
  it('generates 32 alphanumerics like Kong', () => {
    for (let i = 0; i < 50; i++) expect(randomAlphanumeric32()).toMatch(/^[A-Za-z0-9]{32}$/);
  });
});
