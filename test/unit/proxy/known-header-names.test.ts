// The gateway's header names registered with undici: sent byte for byte as given, values still checked, non-tokens never registered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pool } from 'undici';
import { isKnownHeaderName, registerHeaderNames } from '../../../src/proxy/known-header-names.js';
import { identityHeaderNames } from '../../../src/auth/policy-headers.js';
import { startUpstream, type Upstream } from '../../helpers/http-upstream.js';
import { compileDocument } from '../../helpers/data-plane-harness.js';

describe('registerHeaderNames', () => {
  let upstream: Upstream;
  let pool: Pool;
  let seen: string[] = [];
  beforeAll(async () => {
    upstream = await startUpstream((req, res) => {
      seen = req.rawHeaders;
      res.end('ok');
    });
    pool = new Pool(upstream.url);
  });
  afterAll(async () => {
    await pool.close();
    await upstream.close();
  });

  it('makes a mixed-case name known to undici once, and counts only new names', () => {
    expect(isKnownHeaderName('X-Known-Test-Id')).toBe(false);
    expect(registerHeaderNames(['X-Known-Test-Id', 'x-known-test-lower'])).toBe(2);
    expect(registerHeaderNames(['X-Known-Test-Id'])).toBe(0);
    expect(isKnownHeaderName('X-Known-Test-Id')).toBe(true);
    expect(isKnownHeaderName('x-known-test-lower')).toBe(true);
  });

  it('leaves names that are not tokens unknown, so undici still refuses them', async () => {
    expect(registerHeaderNames(['X-Bad Name', 'X-Bad:Name', ''])).toBe(0);
    expect(isKnownHeaderName('X-Bad Name')).toBe(false);
    await expect(pool.request({ path: '/', method: 'GET', headers: ['X-Bad Name', 'v'] })).rejects.toThrow(/invalid header key/);
  });

  it('sends a registered name exactly as given, and still refuses a value with CR or LF', async () => {
    registerHeaderNames(['X-Consumer-Test-ID']);
    const res = await pool.request({
      path: '/',
      method: 'GET',
      headers: ['X-Consumer-Test-ID', 'abc', 'x-known-test-lower', 'caf\u00c3\u00a9'],
    });
    await res.body.text();
    expect(seen).toContain('X-Consumer-Test-ID');
    expect(seen[seen.indexOf('X-Consumer-Test-ID') + 1]).toBe('abc');
    await expect(pool.request({ path: '/', method: 'GET', headers: ['X-Consumer-Test-ID', 'a\r\nX-Injected: 1'] })).rejects.toThrow(
      /invalid X-Consumer-Test-ID header/,
    );
  });

  it('lists every identity, claim and payload header name a config can send, as sent', () => {
    const config = compileDocument({
      _format_version: '3.0',
      services: [
        {
          name: 's',
          url: 'http://127.0.0.1:9/',
          routes: [{ name: 'r', paths: ['/r'] }],
          plugins: [
            {
              name: 'jwt',
              config: { claims_to_headers: [{ claim: 'sub', header: 'X-User-Id' }], forward_payload_header: 'X-Jwt-Payload' },
            },
          ],
        },
      ],
      consumers: [{ username: 'alice', custom_id: 'c1', jwt_secrets: [{ key: 'alice-key', secret: 's', algorithm: 'HS256' }] }],
    });
    expect([...identityHeaderNames(config)].sort()).toEqual(
      [
        'X-Consumer-Custom-ID',
        'X-Consumer-ID',
        'X-Consumer-Username',
        'x-anonymous-consumer',
        'x-credential-identifier',
        'x-jwt-payload',
        'x-user-id',
      ].sort(),
    );
  });
});
