import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../../src/config/check.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

describe('checkConfig', () => {
  it('summarises a valid file', () => {
    const r = checkConfig(fixture('kong-example.yaml'));
    expect(r.ok).toBe(true);
    expect(r.text.split('\n')).toEqual([
      `${fixture('kong-example.yaml')}: OK (_format_version 3.0)`,
      '  services: 2, routes: 3, jwt plugins: 3 (3 enabled), consumers: 3, credentials: 3',
      '  proxy_listen 127.0.0.1:0, admin_listen off, workers 2, log_level info, http_engine uws',
    ]);
  });
  it('lists every error as path: message', () => {
    const r = checkConfig(fixture('invalid.json'));
    expect(r.ok).toBe(false);
    expect(r.text.split('\n')).toEqual([
      `${fixture('invalid.json')}: 3 errors`,
      '$.services[0].routes[0].paths[0]: must not have empty segments',
      "$.plugins[0].name: plugin 'key-auth' is not supported by portcullis (supported: jwt)",
      '$.consumers[0].jwt_secrets[0].algorithm: expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA',
    ]);
  });
  it('reports a missing file', () => {
    const r = checkConfig(fixture('does-not-exist.json'));
    expect(r.ok).toBe(false);
    expect(r.text).toContain('$: cannot read config file (ENOENT)');
  });
});

describe('checkConfig with jwt policy extensions', () => {
  const write = (doc: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-check-'));
    const path = join(dir, 'kong.json');
    writeFileSync(path, JSON.stringify(doc));
    return path;
  };
  const doc = (config: Record<string, unknown>) => ({
    _format_version: '3.0',
    services: [{ name: 's', url: 'http://127.0.0.1:1', routes: [{ name: 'r', paths: ['/a'] }], plugins: [{ name: 'jwt', config }] }],
    consumers: [{ username: 'u', jwt_secrets: [{ algorithm: 'RS256', oidc_issuer: 'https://idp.example' }] }],
  });
  it('names the extensions in use', () => {
    const r = checkConfig(write(doc({ audiences: ['api'], claims_to_headers: [{ claim: 'sub', header: 'X-User' }] })));
    expect(r.ok).toBe(true);
    expect(r.text).toContain('  jwt policy on 1 plugin: audiences, claims_to_headers');
    expect(r.text).toContain('  OIDC discovery credentials: 1');
  });
  it('lists every policy error with its JSON path and fails', () => {
    const r = checkConfig(write(doc({ leeway: 99999, scopes_match: 'most' })));
    expect(r.ok).toBe(false);
    expect(r.text).toContain('$.services[0].plugins[0].config.leeway: value should be between 0 and 3600');
    expect(r.text).toContain('$.services[0].plugins[0].config.scopes_match: expected one of: all, any');
  });
});
