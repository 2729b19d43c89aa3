import { describe, expect, it } from 'vitest';
import { HEADER_UNSAFE, headerValue } from '../../../src/proxy/header-value.js';

describe('header values', () => {
  it('returns ASCII text unchanged (the same string)', () => {
    const s = 'plain-value 123';
    expect(headerValue(s)).toBe(s);
  });
  it('turns any other text into its UTF-8 bytes, one latin1 character per byte', () => {
    const v = headerValue('Пётр');
    expect(Buffer.from(v, 'latin1')).toEqual(Buffer.from('Пётр', 'utf8'));
    expect(Buffer.from(headerValue('José'), 'latin1')).toEqual(Buffer.from('José', 'utf8'));
    for (let i = 0; i < v.length; i++) expect(v.charCodeAt(i)).toBeLessThan(256);
  });
  it('flags the characters no header may hold, and nothing else', () => {
    for (const c of ['\r', '\n', '\0', '\x07', '\x7f']) expect(HEADER_UNSAFE.test(`a${c}b`)).toBe(true);
    for (const c of ['\t', ' ', '~', 'é', 'П']) expect(HEADER_UNSAFE.test(`a${c}b`)).toBe(false);
  });
});
