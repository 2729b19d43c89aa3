import { describe, expect, it } from 'vitest';
import { discoveryUrl, JwksFetchError, oidcJwksFetch, type JwksFetch } from '../../../../src/auth/jwks/jwks-fetcher.js';

const OPTIONS = { timeoutMs: 1000, maxBytes: 1 << 20 };
const JWKS = { keys: [] };

/** A fetch over a fixed table of documents; records every URL asked for. */
function fakeFetch(docs: Record<string, unknown>, asked: string[]): JwksFetch {
  return async (uri) => {
    asked.push(uri);
    if (!(uri in docs)) throw new JwksFetchError('HTTP status 404');
    return { doc: docs[uri], maxAge: null };
  };
}

describe('OIDC discovery fetch', () => {
  it('builds the well-known URL after removing one trailing slash', () => {
    expect(discoveryUrl('https://idp.example')).toBe('https://idp.example/.well-known/openid-configuration');
    expect(discoveryUrl('https://idp.example/tenant/')).toBe('https://idp.example/tenant/.well-known/openid-configuration');
  });
  it('discovers once, then fetches the discovered jwks_uri like any JWKS', async () => {
    const asked: string[] = [];
    const f = oidcJwksFetch(
      'https://idp.example',
      fakeFetch(
        {
          'https://idp.example/.well-known/openid-configuration': { issuer: 'https://idp.example', jwks_uri: 'https://keys.example/jwks' },
          'https://keys.example/jwks': JWKS,
        },
        asked,
      ),
    );
    expect((await f('ignored', OPTIONS)).doc).toEqual(JWKS);
    await f('ignored', OPTIONS);
    expect(asked).toEqual([
      'https://idp.example/.well-known/openid-configuration',
      'https://keys.example/jwks',
      'https://keys.example/jwks',
    ]);
  });
  it('refuses an issuer that differs by one byte as a permanent error', async () => {
    const f = oidcJwksFetch(
      'https://idp.example',
      fakeFetch(
        {
          'https://idp.example/.well-known/openid-configuration': { issuer: 'https://idp.example/', jwks_uri: 'https://keys.example/jwks' },
        },
        [],
      ),
    );
    await expect(f('x', OPTIONS)).rejects.toMatchObject({
      permanent: true,
      reason: expect.stringContaining('does not match the configured'),
    });
  });
  it('refuses a jwks_uri that is not an http(s) URL, and a document that is not an object', async () => {
    const bad = oidcJwksFetch(
      'https://a.example',
      fakeFetch(
        {
          'https://a.example/.well-known/openid-configuration': { issuer: 'https://a.example', jwks_uri: 'file:///etc/passwd' },
        },
        [],
      ),
    );
    await expect(bad('x', OPTIONS)).rejects.toMatchObject({ reason: expect.stringContaining('not an http(s) URL') });
    const notObject = oidcJwksFetch('https://b.example', fakeFetch({ 'https://b.example/.well-known/openid-configuration': [1] }, []));
    await expect(notObject('x', OPTIONS)).rejects.toMatchObject({ reason: expect.stringContaining('not a JSON object') });
  });
  it('discovers again after the JWKS fetch failed (the IdP may have moved its keys)', async () => {
    const asked: string[] = [];
    const docs: Record<string, unknown> = {
      'https://idp.example/.well-known/openid-configuration': { issuer: 'https://idp.example', jwks_uri: 'https://keys.example/old' },
    };
    const f = oidcJwksFetch('https://idp.example', fakeFetch(docs, asked));
    await expect(f('x', OPTIONS)).rejects.toBeInstanceOf(JwksFetchError);
    docs['https://idp.example/.well-known/openid-configuration'] = { issuer: 'https://idp.example', jwks_uri: 'https://keys.example/new' };
    docs['https://keys.example/new'] = JWKS;
    expect((await f('x', OPTIONS)).doc).toEqual(JWKS);
    expect(asked.filter((u) => u.endsWith('openid-configuration'))).toHaveLength(2);
  });
});
