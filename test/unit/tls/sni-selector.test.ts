import { describe, expect, it } from 'vitest';
import { createSniSelector, sniMatches, wildcardsOf } from '../../../src/tls/sni-selector.js';

describe('Kong SNI selection', () => {
  const byName = new Map([
    ['a.example.test', 'exact'],
    ['*.example.test', 'leading'],
    ['www.example.*', 'trailing'],
    ['example.*', 'short-trailing'],
  ]);
  const s = createSniSelector(byName, 'default');

  it('picks the exact name first, then the leading wildcard, then the trailing one, then the default', () => {
    expect(s.select('a.example.test')).toBe('exact');
    expect(s.select('A.Example.TEST')).toBe('exact');
    expect(s.select('www.example.test')).toBe('leading');
    expect(s.select('www.example.org')).toBe('trailing');
    expect(s.select('example.org')).toBe('short-trailing');
    expect(s.select('other.test')).toBe('default');
    expect(s.select(null)).toBe('default');
    expect(s.select('')).toBe('default');
  });
  it('replaces exactly one label: a wildcard never spans two labels', () => {
    expect(s.select('x.a.example.test')).toBe('default');
    expect(wildcardsOf('domain.test')).toEqual({ prefix: null, suffix: 'domain.*' });
    expect(wildcardsOf('www.domain.test')).toEqual({ prefix: '*.domain.test', suffix: 'www.domain.*' });
    expect(wildcardsOf('localhost')).toEqual({ prefix: null, suffix: null });
  });
  it('gives null without a default', () => {
    expect(createSniSelector(new Map(), null).select('x.test')).toBeNull();
  });
  it('matches route snis patterns against a server name', () => {
    expect(sniMatches('*.b.test', 'a.b.test')).toBe(true);
    expect(sniMatches('a.*', 'a.test')).toBe(true);
    expect(sniMatches('*.b.test', 'x.a.b.test')).toBe(false);
    expect(sniMatches('a.test', 'a.test')).toBe(true);
  });
});
