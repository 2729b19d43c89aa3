import { describe, expect, it } from 'vitest';
import { SEXTET, base64urlDataEnd, decodeBase64url } from '../../../src/crypto/base64url.js';

describe('base64urlDataEnd', () => {
  it('returns the end of the data part, stopping at the first padding character', () => {
    expect(base64urlDataEnd('abcd', 0, 4)).toBe(4);
    expect(base64urlDataEnd('x.ab==', 2, 6)).toBe(4);
  });

  it('refuses characters outside the url alphabet, standard base64 included', () => {
    expect(base64urlDataEnd('ab+d', 0, 4)).toBe(-1);
    expect(base64urlDataEnd('ab/d', 0, 4)).toBe(-1);
    expect(base64urlDataEnd('abé', 0, 3)).toBe(-1);
  });

  it('refuses a data part whose length is 1 mod 4, as nginx does', () => {
    expect(base64urlDataEnd('abcde', 0, 5)).toBe(-1);
    expect(base64urlDataEnd('a=', 0, 2)).toBe(-1);
  });

  it('maps every url-alphabet character to its sextet', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 64; i++) expect(SEXTET[alphabet.charCodeAt(i)]).toBe(i);
  });
});

describe('decodeBase64url', () => {
  it('decodes url-alphabet text with or without padding', () => {
    expect(decodeBase64url('aGVsbG8')?.toString()).toBe('hello');
    expect(decodeBase64url('aGVsbG8=')?.toString()).toBe('hello');
    expect(decodeBase64url('-_-_')).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
  });
  it('ignores everything after the first padding character, as nginx does', () => {
    expect(decodeBase64url('aGVsbG8==')?.toString()).toBe('hello');
    expect(decodeBase64url('aGVsbG8=+/')?.toString()).toBe('hello');
  });
  it('refuses + and / and lengths of 1 mod 4', () => {
    expect(decodeBase64url('ab+c')).toBeNull();
    expect(decodeBase64url('ab/c')).toBeNull();
    expect(decodeBase64url('abcde')).toBeNull();
  });
});
