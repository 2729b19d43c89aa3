import { describe, expect, it } from 'vitest';
import { compilePathRegex, isRegexPath } from '../../../src/routing/path-regex.js';

describe('compilePathRegex', () => {
  it('recognises the ~ magic prefix', () => {
    expect(isRegexPath('~/a')).toBe(true);
    expect(isRegexPath('/a')).toBe(false);
  });

  it('turns a leading (?i) into a case-insensitive flag', () => {
    expect(compilePathRegex('~(?i)/API').test('/api/x')).toBe(true);
    expect(compilePathRegex('~/API').test('/api/x')).toBe(false);
  });

  it('throws SyntaxError for an invalid expression', () => {
    expect(() => compilePathRegex('~/a(')).toThrow(SyntaxError);
  });
});
