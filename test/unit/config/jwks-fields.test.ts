import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { base, errorLines, valid } from './helpers.js';
import { VERIFY_DEFAULTS } from '../../../src/config/validate-verify.js';

const jwk = (k: { publicKey: { export(o: { format: 'jwk' }): object } }, extra: object = {}) => ({
  ...k.publicKey.export({ format: 'jwk' }),
  ...extra,
});
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = String(rsa.publicKey.export({ type: 'spki', format: 'pem' }));

const cred = (fields: Record<string, unknown>) => ({
  _format_version: '3.0',
  consumers: [{ username: 'u', jwt_secrets: [{ key: 'https://idp.test', algorithm: 'RS256', ...fields }] }],
});
const P = '$.consumers[0].jwt_secrets[0]';

describe('jwt_secrets jwks_uri / jwks', () => {
  it('accepts jwks_uri instead of rsa_public_key and keeps it in the validated credential', () => {
    const c = valid(cred({ jwks_uri: 'http://127.0.0.1:9999/.well-known/jwks.json' }));
    expect(c.jwt_secrets[0]!.jwks_uri).toBe('http://127.0.0.1:9999/.well-known/jwks.json');
    expect(c.jwt_secrets[0]!.rsa_public_key).toBeNull();
  });
  it('accepts an inline jwks with a fitting key', () => {
    const c = valid(cred({ jwks: { keys: [jwk(rsa, { kid: 'k1', alg: 'RS256', use: 'sig' })] } }));
    expect(c.jwt_secrets[0]!.jwks!.keys).toHaveLength(1);
  });
  it('leaves a plain Kong credential without the extension fields', () => {
    const c = valid(cred({ rsa_public_key: pem }));
    expect('jwks_uri' in c.jwt_secrets[0]!).toBe(false);
    expect('jwks' in c.jwt_secrets[0]!).toBe(false);
  });
  it('rejects two key sources at once, with the JSON path of the second', () => {
    expect(errorLines(cred({ rsa_public_key: pem, jwks_uri: 'https://idp.test/jwks' }))).toEqual([
      `${P}.jwks_uri: cannot be set together with 'rsa_public_key' (give one of: rsa_public_key, jwks_uri, jwks, oidc_issuer)`,
    ]);
  });
  it('rejects a jwks_uri that is not an http(s) URL', () => {
    expect(errorLines(cred({ jwks_uri: 'ftp://idp.test/jwks' }))).toEqual([
      `${P}.jwks_uri: unsupported protocol 'ftp' in url (expected one of: http, https)`,
    ]);
    expect(errorLines(cred({ jwks_uri: 'not a url' }))).toEqual([`${P}.jwks_uri: invalid url: 'not a url'`]);
  });
  it('rejects jwks_uri on an HS256 credential', () => {
    expect(errorLines(cred({ algorithm: 'HS256', secret: 's', jwks_uri: 'https://idp.test/jwks' }))).toEqual([
      `${P}.jwks_uri: only for asymmetric algorithms (algorithm is HS256)`,
    ]);
  });
  it('rejects a malformed inline jwks key, a wrong kty, and a set with no key for the algorithm', () => {
    expect(errorLines(cred({ jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] } }))[0]).toMatch(
      /^\$\.consumers\[0\]\.jwt_secrets\[0\]\.jwks\.keys\[0\]: invalid key/,
    );
    expect(errorLines(cred({ jwks: { keys: [jwk(ec, { kid: 'e' })] } }))).toEqual([`${P}.jwks.keys: no key fits algorithm RS256`]);
    expect(errorLines(cred({ jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }))).toEqual([
      `${P}.jwks.keys[0]: a public JWK must not contain "k"`,
    ]);
    expect(errorLines(cred({ jwks: [] }))).toEqual([`${P}.jwks: expected a JWK Set: an object with a "keys" array`]);
  });
  it('still requires some key for RS256 when neither jwks_uri nor jwks is given', () => {
    expect(errorLines(cred({}))).toEqual([`${P}.rsa_public_key: required field missing`]);
  });
});

describe('gateway verify and JWKS settings', () => {
  it('fills in the defaults when none is set', () => {
    const g = valid(base()).gateway;
    expect(g).toMatchObject(VERIFY_DEFAULTS);
  });
  it('reads explicit values', () => {
    const g = valid(
      base({ gateway: { asymmetric_verify: 'pool', verify_queue_max: 10, jwks_cache_min_seconds: 0, jwks_cache_max_seconds: 60 } }),
    ).gateway;
    expect(g).toMatchObject({ asymmetric_verify: 'pool', verify_queue_max: 10, jwks_cache_min_seconds: 0, jwks_cache_max_seconds: 60 });
  });
  it('rejects an unknown mode and min above max', () => {
    expect(errorLines(base({ gateway: { asymmetric_verify: 'gpu', jwks_cache_min_seconds: 600 } }))).toEqual([
      '$.gateway.asymmetric_verify: expected one of: pool, libuv, inline',
      '$.gateway.jwks_cache_min_seconds: must not exceed jwks_cache_max_seconds (300)',
    ]);
  });
});
