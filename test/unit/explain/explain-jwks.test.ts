import { afterEach, describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/compile.js';
import { explainRequest } from '../../../src/explain/explain.js';
import { startIdp, type TestIdp } from '../../helpers/test-idp.js';
import { valid } from '../config/helpers.js';

let idp: TestIdp | null = null;
afterEach(async () => {
  await idp?.close();
  idp = null;
});

function configFor(i: TestIdp) {
  return compileConfig(
    valid({
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://127.0.0.1:1', routes: [{ name: 'r', paths: ['/r'] }], plugins: [{ name: 'jwt' }] }],
      consumers: [{ username: 'idp', jwt_secrets: [{ key: i.url, algorithm: 'RS256', jwks_uri: i.jwksUri }] }],
    }),
    1,
  );
}

describe('explain with a JWKS credential', () => {
  it('fetches the JWK Set once and shows the kid it verified with', async () => {
    idp = await startIdp();
    const e = await explainRequest(configFor(idp), { path: '/r/x', token: idp.token() });
    expect(e.verdict).toMatchObject({ allowed: true, reason: 'ok' });
    expect(e.jwt!.steps.find((s) => s.step === 'key')).toMatchObject({
      result: 'pass',
      input: { kid: idp.current.kid, jwks: idp.jwksUri },
    });
    expect(e.jwt!.steps.find((s) => s.step === 'signature')).toMatchObject({ result: 'pass' });
    expect(idp.fetches).toBe(1);
  });

  it('stops at the key step when no published key has the token kid', async () => {
    idp = await startIdp();
    const retired = idp.current;
    idp.rotate();
    idp.retire(retired.kid);
    const e = await explainRequest(configFor(idp), { path: '/r/x', token: idp.token({}, retired) });
    expect(e.verdict).toMatchObject({ allowed: false, status: 401, reason: 'unknown_key', stopped_at: 'key' });
  });
});
