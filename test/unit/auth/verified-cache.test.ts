import { describe, expect, it } from 'vitest';
import { createVerifiedCache, entryBytes, INDEX_TAIL, type VerifiedEntry } from '../../../src/auth/verified-cache.js';

const entry = (value: string, exp: unknown = undefined): VerifiedEntry<string> => ({
  value,
  keyClaimName: 'iss',
  secretIsBase64: false,
  exp,
  nbf: undefined,
});
const big = { maxEntries: 100, maxBytes: 1 << 20, maxTokenBytes: 8192 };

describe('verified-token cache', () => {
  it('returns what was stored for exactly the same token', () => {
    const c = createVerifiedCache<string>(big);
    c.set('a.b.c', entry('A', 123));
    expect(c.get('a.b.c', 'iss', false)?.value).toBe('A');
    expect(c.get('a.b.c', 'iss', false)?.exp).toBe(123);
  });
  it('never lets two different tokens share an entry, however similar', () => {
    const c = createVerifiedCache<string>(big);
    c.set('h.p.sig1', entry('A'));
    expect(c.get('h.p.sig2', 'iss', false)).toBeUndefined();
    expect(c.get('h.p.sig1 ', 'iss', false)).toBeUndefined();
    expect(c.get('h.p.sig', 'iss', false)).toBeUndefined();
    expect(c.get('H.p.sig1', 'iss', false)).toBeUndefined();
  });
  it('misses when looked up under another key_claim_name or secret_is_base64', () => {
    const c = createVerifiedCache<string>(big);
    c.set('t', entry('A'));
    expect(c.get('t', 'kid', false)).toBeUndefined();
    expect(c.get('t', 'iss', true)).toBeUndefined();
    expect(c.get('t', 'iss', false)?.value).toBe('A');
  });
  it('counts hits and misses', () => {
    const c = createVerifiedCache<string>(big);
    c.get('t', 'iss', false);
    c.set('t', entry('A'));
    c.get('t', 'iss', false);
    c.get('t', 'iss', false);
    expect(c.stats()).toMatchObject({ hits: 2, misses: 1, entries: 1, bytes: entryBytes(1) });
  });
  it('stays within max_entries, evicting unreferenced entries first (CLOCK)', () => {
    const c = createVerifiedCache<string>({ ...big, maxEntries: 3 });
    c.set('t1', entry('1'));
    c.set('t2', entry('2'));
    c.set('t3', entry('3'));
    c.get('t1', 'iss', false);
    c.get('t3', 'iss', false);
    c.set('t4', entry('4'));
    expect(c.stats().entries).toBe(3);
    expect(c.stats().evictions).toBe(1);
    expect(c.get('t2', 'iss', false)).toBeUndefined();
    expect(c.get('t1', 'iss', false)?.value).toBe('1');
    expect(c.get('t4', 'iss', false)?.value).toBe('4');
  });
  it('stays within max_bytes', () => {
    const per = entryBytes(10);
    const c = createVerifiedCache<string>({ ...big, maxBytes: per * 2 });
    for (let i = 0; i < 10; i++) c.set(`token-${String(i).padStart(4, '0')}`, entry(String(i)));
    expect(c.stats().entries).toBe(2);
    expect(c.stats().bytes).toBeLessThanOrEqual(per * 2);
    expect(c.stats().evictions).toBe(8);
  });
  it('keeps evicting and refilling over many insertions without growing', () => {
    const c = createVerifiedCache<string>({ ...big, maxEntries: 50 });
    for (let i = 0; i < 5000; i++) {
      c.set(`tok${i}`, entry(String(i)));
      if (i % 3 === 0) c.get(`tok${i - 1}`, 'iss', false);
    }
    expect(c.stats().entries).toBe(50);
    expect(c.get('tok4999', 'iss', false)?.value).toBe('4999');
  });
  it('does not cache tokens longer than max_token_bytes', () => {
    const c = createVerifiedCache<string>({ ...big, maxTokenBytes: 16 });
    expect(c.set('x'.repeat(17), entry('A'))).toBe(false);
    expect(c.set('x'.repeat(16), entry('A'))).toBe(true);
  });
  it('keeps tokens that share their indexed tail apart: each is its own entry, found by its exact text', () => {
    const c = createVerifiedCache<string>(big);
    const tail = 's'.repeat(INDEX_TAIL);
    c.set(`header.payloadA.${tail}`, entry('A'));
    expect(c.get(`header.payloadB.${tail}`, 'iss', false)).toBeUndefined();
    c.set(`header.payloadB.${tail}`, entry('B'));
    c.set(`header.payloadC.${tail}`, entry('C'));
    expect(c.get(`header.payloadB.${tail}`, 'iss', false)?.value).toBe('B');
    expect(c.get(`header.payloadA.${tail}`, 'iss', false)?.value).toBe('A');
    expect(c.get(`header.payloadC.${tail}`, 'iss', false)?.value).toBe('C');
    expect(c.stats().entries).toBe(3);
    expect(c.stats().bytes).toBe(3 * entryBytes(`header.payloadB.${tail}`.length));
  });
  it('evicts one token of a shared tail without losing the others', () => {
    const c = createVerifiedCache<string>({ ...big, maxEntries: 2 });
    const tail = 's'.repeat(INDEX_TAIL);
    for (const p of ['A', 'B', 'C', 'D']) c.set(`header.payload${p}.${tail}`, entry(p));
    expect(c.stats()).toMatchObject({ entries: 2, evictions: 2 });
    const found = ['A', 'B', 'C', 'D'].filter((p) => c.get(`header.payload${p}.${tail}`, 'iss', false)?.value === p);
    expect(found).toHaveLength(2);
  });
  it('caches short tokens (shorter than the indexed tail) by their whole text', () => {
    const c = createVerifiedCache<string>(big);
    c.set('a.b.c', entry('A'));
    c.set('a.b.d', entry('D'));
    expect(c.get('a.b.c', 'iss', false)?.value).toBe('A');
    expect(c.get('a.b.d', 'iss', false)?.value).toBe('D');
  });
  it('replaces the entry when the same token is stored again', () => {
    const c = createVerifiedCache<string>(big);
    c.set('t', entry('A'));
    c.set('t', { ...entry('B'), keyClaimName: 'kid' });
    expect(c.get('t', 'kid', false)?.value).toBe('B');
    expect(c.stats().entries).toBe(1);
  });
  it('finds every entry, shared tails included, while it grows to thousands of tokens and evicts again', () => {
    const c = createVerifiedCache<string>({ ...big, maxEntries: 6000, maxBytes: 1 << 30 });
    const tail = 's'.repeat(INDEX_TAIL);
    const token = (i: number): string => (i % 10 === 0 ? `h.p${i}.${tail}` : `h.p.sig${i}`);
    for (let i = 0; i < 6000; i++) c.set(token(i), entry(String(i)));
    for (let i = 0; i < 6000; i++) expect(c.get(token(i), 'iss', false)?.value).toBe(String(i));
    for (let i = 6000; i < 9000; i++) c.set(token(i), entry(String(i)));
    expect(c.stats()).toMatchObject({ entries: 6000, evictions: 3000 });
    let found = 0;
    for (let i = 0; i < 9000; i++) {
      const hit = c.get(token(i), 'iss', false);
      if (hit === undefined) continue;
      expect(hit.value).toBe(String(i));
      found++;
    }
    expect(found).toBe(6000);
    c.clear();
    c.set(token(1), entry('again'));
    expect(c.get(token(1), 'iss', false)?.value).toBe('again');
  });
  it('caches nothing with max_entries 0 and empties on clear()', () => {
    expect(createVerifiedCache<string>({ ...big, maxEntries: 0 }).set('t', entry('A'))).toBe(false);
    const c = createVerifiedCache<string>(big);
    c.set('t', entry('A'));
    c.clear();
    expect(c.get('t', 'iss', false)).toBeUndefined();
    expect(c.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});
