import { describe, expect, it } from 'vitest';
import { base, errorLines, valid } from './helpers.js';

const jwt = (config: Record<string, unknown>) => base({ plugins: [{ name: 'jwt', config }] });
const C = '$.plugins[0].config';

describe('jwt plugin policy fields', () => {
  it('accepts every policy field and keeps exactly what was given', () => {
    const config = {
      leeway: 60,
      issuers: ['https://idp.example'],
      audiences: ['api', 'web'],
      scopes_required: ['read', 'orders:write'],
      scopes_claim: ['scope', 'ext.scp'],
      scopes_match: 'any',
      roles_required: ['admin'],
      roles_claim: 'realm_access.roles',
      roles_match: 'all',
      claims_to_headers: [
        { claim: 'sub', header: 'X-User-Id' },
        { claim: 'realm_access.roles', header: 'X-Roles' },
      ],
      forward_payload_header: 'X-Jwt-Payload',
      hide_credentials: true,
    };
    expect(valid(jwt(config)).plugins[0]!.config).toMatchObject(config);
  });
  it('leaves every policy field absent when the file does not set it', () => {
    const c = valid(jwt({})).plugins[0]!.config;
    for (const f of [
      'leeway',
      'issuers',
      'audiences',
      'scopes_required',
      'scopes_claim',
      'scopes_match',
      'roles_required',
      'roles_claim',
      'roles_match',
      'claims_to_headers',
      'forward_payload_header',
      'hide_credentials',
    ])
      expect(f in c, f).toBe(false);
  });
  it('rejects leeway outside 0..3600 or not an integer', () => {
    expect(errorLines(jwt({ leeway: 3601 }))).toEqual([`${C}.leeway: value should be between 0 and 3600`]);
    expect(errorLines(jwt({ leeway: -1 }))).toEqual([`${C}.leeway: value should be between 0 and 3600`]);
    expect(errorLines(jwt({ leeway: 1.5 }))).toEqual([`${C}.leeway: expected an integer`]);
  });
  it('rejects empty lists, empty values and wrong types', () => {
    expect(errorLines(jwt({ issuers: [], audiences: [''], scopes_required: 'read', roles_required: [1] }))).toEqual([
      `${C}.issuers: expected at least one value`,
      `${C}.audiences[0]: length must be at least 1`,
      `${C}.scopes_required: expected a set`,
      `${C}.roles_required[0]: expected a string`,
    ]);
  });
  it('rejects scopes and roles that cannot be quoted in WWW-Authenticate, and bad dot paths', () => {
    expect(errorLines(jwt({ scopes_required: ['a b'], roles_required: ['x"y'], roles_claim: 'a..b', scopes_claim: ['.x'] }))).toEqual([
      `${C}.scopes_required[0]: expected printable ASCII without spaces, '"' or '\\' (RFC 6750 scope-token)`,
      `${C}.scopes_claim[0]: expected a claim name or dot path (no empty segments)`,
      `${C}.roles_required[0]: expected printable ASCII without spaces, '"' or '\\' (RFC 6750 scope-token)`,
      `${C}.roles_claim: expected a claim name or dot path (no empty segments)`,
    ]);
  });
  it('rejects match modes other than all and any', () => {
    expect(errorLines(jwt({ scopes_match: 'some', roles_match: 1 }))).toEqual([
      `${C}.scopes_match: expected one of: all, any`,
      `${C}.roles_match: expected a string`,
    ]);
  });
  it('rejects malformed claims_to_headers entries with the path of each problem', () => {
    expect(
      errorLines(
        jwt({
          claims_to_headers: [
            { claim: 'sub' },
            { claim: 'a', header: 'Bad Header' },
            { claim: 'b', header: 'X-Consumer-ID' },
            { claim: 'c', header: 'x-one' },
            { claim: 'd', header: 'X-One' },
            'x',
            { claim: 'e', header: 'X-E', extra: 1 },
          ],
        }),
      ),
    ).toEqual([
      `${C}.claims_to_headers[0].header: required field missing`,
      `${C}.claims_to_headers[1].header: expected a header name (letters, digits and !#$%&'*+-.^_\`|~)`,
      `${C}.claims_to_headers[2].header: header 'X-Consumer-ID' is set by the gateway and cannot be configured`,
      `${C}.claims_to_headers[4].header: header 'X-One' is configured twice`,
      `${C}.claims_to_headers[5]: expected a record`,
      `${C}.claims_to_headers[6].extra: unknown field`,
    ]);
    expect(errorLines(jwt({ claims_to_headers: {} }))).toEqual([`${C}.claims_to_headers: expected an array`]);
  });
  it('rejects a forward_payload_header that is reserved or also a claim header, and a non-boolean hide_credentials', () => {
    expect(errorLines(jwt({ forward_payload_header: 'Host', hide_credentials: 'yes' }))).toEqual([
      `${C}.forward_payload_header: header 'Host' is set by the gateway and cannot be configured`,
      `${C}.hide_credentials: expected a boolean`,
    ]);
    expect(errorLines(jwt({ claims_to_headers: [{ claim: 'sub', header: 'X-A' }], forward_payload_header: 'x-a' }))).toEqual([
      `${C}.forward_payload_header: header 'x-a' is also in claims_to_headers`,
    ]);
  });
});

describe('jwt_secrets oidc_issuer', () => {
  const cred = (fields: Record<string, unknown>) => ({
    _format_version: '3.0',
    consumers: [{ username: 'u', jwt_secrets: [{ algorithm: 'RS256', ...fields }] }],
  });
  const P = '$.consumers[0].jwt_secrets[0]';
  it('accepts oidc_issuer instead of rsa_public_key, with the issuer as the default key', () => {
    const s = valid(cred({ oidc_issuer: 'https://idp.example' })).jwt_secrets[0]!;
    expect(s).toMatchObject({ oidc_issuer: 'https://idp.example', key: 'https://idp.example' });
    expect(valid(cred({ oidc_issuer: 'https://idp.example', key: 'other' })).jwt_secrets[0]!.key).toBe('other');
  });
  it('rejects oidc_issuer with another key source, with an HMAC algorithm, or when not http(s)', () => {
    expect(errorLines(cred({ oidc_issuer: 'https://idp.example', jwks_uri: 'https://idp.example/jwks' }))).toEqual([
      `${P}.oidc_issuer: cannot be set together with 'jwks_uri' (give one of: rsa_public_key, jwks_uri, jwks, oidc_issuer)`,
    ]);
    expect(errorLines(cred({ oidc_issuer: 'https://idp.example', algorithm: 'HS256', key: 'k', secret: 's' }))).toEqual([
      `${P}.oidc_issuer: only for asymmetric algorithms (algorithm is HS256)`,
    ]);
    expect(errorLines(cred({ oidc_issuer: 'ftp://idp.example' }))).toContain(
      `${P}.oidc_issuer: unsupported protocol 'ftp' in url (expected one of: http, https)`,
    );
  });
});
