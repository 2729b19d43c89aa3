import { describe, expect, it } from 'vitest';
import { createClaimsChecker } from '../../../src/auth/claims.js';
import { AuthStatus } from '../../../src/auth/auth-status.js';

const NOW = 1_700_000_000;
const both = createClaimsChecker(['exp', 'nbf'], 0);
const body = (c: ReturnType<typeof createClaimsChecker>, exp: unknown, nbf: unknown, now = NOW) => {
  const code = c.check(exp, nbf, now);
  return code === AuthStatus.ok ? null : JSON.parse(c.body(code));
};

describe('claims checker', () => {
  it('passes valid exp and nbf', () => {
    expect(both.check(NOW + 10, NOW - 10, NOW)).toBe(AuthStatus.ok);
  });
  it('reports missing claims as "must be a number", all at once', () => {
    expect(body(both, undefined, undefined)).toEqual({ exp: 'must be a number', nbf: 'must be a number' });
    expect(body(createClaimsChecker(['nbf'], 0), undefined, undefined)).toEqual({ nbf: 'must be a number' });
  });
  it('accepts only JSON numbers (strings, booleans, null fail)', () => {
    expect(body(both, 'bar', 'foo')).toEqual({ exp: 'must be a number', nbf: 'must be a number' });
    expect(body(both, `${NOW + 100}`, NOW)).toEqual({ exp: 'must be a number' });
    expect(body(both, true, null)).toEqual({ exp: 'must be a number', nbf: 'must be a number' });
    expect(both.check(NOW + 0.5, NOW - 0.5, NOW)).toBe(AuthStatus.ok);
  });
  it('treats exp <= now as expired and nbf > now as not valid yet', () => {
    expect(body(both, NOW - 10, NOW)).toEqual({ exp: 'token expired' });
    expect(body(both, NOW, NOW)).toEqual({ exp: 'token expired' });
    expect(body(both, NOW + 10, NOW + 1)).toEqual({ nbf: 'token not valid yet' });
    expect(both.check(NOW + 1, NOW, NOW)).toBe(AuthStatus.ok);
    expect(body(both, NOW - 1, NOW + 1)).toEqual({ exp: 'token expired', nbf: 'token not valid yet' });
  });
  it('writes single-claim bodies exactly as Kong', () => {
    expect(both.body(both.check(NOW - 10, NOW, NOW))).toBe('{"exp":"token expired"}');
    expect(both.body(both.check(NOW + 10, NOW + 5, NOW))).toBe('{"nbf":"token not valid yet"}');
  });
  it('checks nothing when claims_to_verify is null or empty', () => {
    expect(createClaimsChecker(null, 0).check(NOW - 1000, 'x', NOW)).toBe(AuthStatus.ok);
    expect(createClaimsChecker([], 0).check(undefined, undefined, NOW)).toBe(AuthStatus.ok);
  });
  it('checks only the listed claim', () => {
    expect(createClaimsChecker(['exp'], 0).check(NOW + 10, NOW + 100, NOW)).toBe(AuthStatus.ok);
  });
  it('applies maximum_expiration after the claim checks, inclusive at the limit', () => {
    const c = createClaimsChecker(['exp'], 300);
    expect(c.check(NOW + 300, undefined, NOW)).toBe(AuthStatus.ok);
    expect(c.check(NOW + 301, undefined, NOW)).toBe(AuthStatus.exceedsMaximumExpiration);
    expect(c.body(AuthStatus.exceedsMaximumExpiration)).toBe('{"exp":"exceeds maximum allowed expiration"}');
    expect(body(c, NOW - 1, undefined)).toEqual({ exp: 'token expired' });
    expect(body(c, undefined, undefined)).toEqual({ exp: 'must be a number' });
  });
  it('treats a missing exp as exceeding the maximum when exp itself is not verified', () => {
    expect(createClaimsChecker(['nbf'], 300).check(undefined, NOW, NOW)).toBe(AuthStatus.exceedsMaximumExpiration);
  });
  it('lets an infinite exp (1e400) never expire but exceed any maximum', () => {
    expect(createClaimsChecker(['exp'], 0).check(Infinity, undefined, NOW)).toBe(AuthStatus.ok);
    expect(createClaimsChecker(['exp'], 300).check(Infinity, undefined, NOW)).toBe(AuthStatus.exceedsMaximumExpiration);
  });
});
