import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../../src/routing/normalize-path.js';

describe('normalizePath', () => {
  it('returns the very same string for a path that needs no work', () => {
    const raw = '/api/v1/users/42';
    expect(normalizePath(raw)).toBe(raw);
    expect(normalizePath('/')).toBe('/');
  });

  it('resolves .. segments', () => {
    expect(normalizePath('/public/../api/x')).toBe('/api/x');
  });

  it('resolves . segments', () => {
    expect(normalizePath('/a/./b/.')).toBe('/a/b/');
  });

  it('keeps a trailing slash when the last segment is ..', () => {
    expect(normalizePath('/a/b/..')).toBe('/a/');
  });

  it('never climbs above the root', () => {
    expect(normalizePath('/../../etc/passwd')).toBe('/etc/passwd');
    expect(normalizePath('/..')).toBe('/');
    expect(normalizePath('/a/../..')).toBe('/');
  });

  it('decodes %2e%2e before resolving dot segments', () => {
    expect(normalizePath('/public/%2e%2e/api')).toBe('/api');
    expect(normalizePath('/public/%2E%2e/api')).toBe('/api');
  });

  it('keeps dots that are part of a segment name', () => {
    expect(normalizePath('/route%2E%2E/req')).toBe('/route../req');
    expect(normalizePath('/a/.hidden/...')).toBe('/a/.hidden/...');
  });

  it('decodes unreserved characters such as %7E to ~', () => {
    expect(normalizePath('/%7Euser/%41%62%2D%5F')).toBe('/~user/Ab-_');
  });

  it('keeps %2f encoded with upper-case hex', () => {
    expect(normalizePath('/a%2fb')).toBe('/a%2Fb');
    expect(normalizePath('/a%2Fb/../c')).toBe('/c');
  });

  it('keeps every reserved character encoded, upper-cased', () => {
    expect(normalizePath('/x%3a%40%3f%23%25%26%3d%2b%24%2c%3b%21%2a%27%28%29%5b%5d')).toBe(
      '/x%3A%40%3F%23%25%26%3D%2B%24%2C%3B%21%2A%27%28%29%5B%5D',
    );
  });

  it('keeps non-ASCII bytes and unsafe characters encoded', () => {
    expect(normalizePath('/caf%c3%a9/a%20b')).toBe('/caf%C3%A9/a%20b');
  });

  it('percent-encodes raw characters Kong would re-escape', () => {
    expect(normalizePath('/a b/"q"/café')).toBe('/a%20b/%22q%22/caf%C3%A9');
  });

  it('leaves raw reserved characters raw', () => {
    const raw = "/a:b@c!$&'()*+,;=[]";
    expect(normalizePath(raw)).toBe(raw);
  });

  it('merges runs of slashes', () => {
    expect(normalizePath('//a///b//')).toBe('/a/b/');
    expect(normalizePath('//')).toBe('/');
  });

  it('returns null for a path that does not start with /', () => {
    expect(normalizePath('')).toBeNull();
    expect(normalizePath('api/x')).toBeNull();
    expect(normalizePath('*')).toBeNull();
  });

  it('returns null for malformed percent-encoding', () => {
    expect(normalizePath('/a%zzb')).toBeNull();
    expect(normalizePath('/a%2')).toBeNull();
    expect(normalizePath('/a%')).toBeNull();
  });

  it('returns null for an encoded NUL', () => {
    expect(normalizePath('/a%00b')).toBeNull();
  });

  it('returns null for a lone surrogate that cannot be encoded', () => {
    expect(normalizePath('/a\ud800b')).toBeNull();
  });

  it('is idempotent', () => {
    for (const p of ['/a%2Fb', '/caf%C3%A9', '/a%20b/', '/~x/y']) expect(normalizePath(p)).toBe(p);
  });
});
