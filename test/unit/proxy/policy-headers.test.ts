// The jwt policy's upstream rewrites: spoofed claim headers stripped whatever the decision, cookie and query token removal.
import { describe, expect, it } from 'vitest';
import { buildUpstreamHeaders } from '../../../src/proxy/forwarded-headers.js';
import { withoutTokenArgs, withoutTokenCookies } from '../../../src/proxy/policy-headers.js';
import type { RouteMatch } from '../../../src/routing/types.js';
import { compileDocument } from '../../helpers/data-plane-harness.js';

const config = compileDocument({
  _format_version: '3.0',
  services: [{
    name: 's', url: 'http://up.internal:8080',
    routes: [{ name: 'r', paths: ['/p'], plugins: [{ name: 'jwt', config: {
      run_on_preflight: false, claims_to_headers: [{ claim: 'sub', header: 'X-User' }], forward_payload_header: 'X-Payload',
    } }] }],
  }],
});
const match: RouteMatch = { route: config.routes[0]!, upstreamPath: '/x', forwardedPrefix: null };
const ctx = { listenPort: '8000', via: '1.1 portcullis/0.1.0', proto: 'http' as const };

describe('policy upstream headers', () => {
  it('strips client copies of the configured headers when the plugin did not run (preflight bypass)', () => {
    const out = buildUpstreamHeaders({ headers: ['x-user', 'admin', 'x-payload', 'e30', 'x-other', '1'], host: 'gw', url: '/p', remoteAddress: '192.0.2.1' },
      match, 'id', null, ctx);
    expect(out).not.toContain('x-user');
    expect(out).not.toContain('x-payload');
    expect(out).toContain('x-other');
  });
});

describe('hide_credentials helpers', () => {
  it('removes only the configured cookie holding the token, whatever the name case and spacing', () => {
    expect(withoutTokenCookies('a=1;Session = T ; b=2', ['session'], 'T')).toBe('a=1; b=2');
    expect(withoutTokenCookies('session=other; a=1', ['session'], 'T')).toBe('session=other; a=1');
    expect(withoutTokenCookies('session=T', ['session'], 'T')).toBe('');
  });
  it('removes every configured argument holding the token (also percent-encoded), keeping the rest in order', () => {
    expect(withoutTokenArgs('a=1&jwt=T&b=2&jwt=T', new Set(['jwt']), 'T')).toBe('a=1&b=2');
    expect(withoutTokenArgs('%6Awt=%54&c=3', new Set(['jwt']), 'T')).toBe('c=3');
    expect(withoutTokenArgs('jwt=other&jwt', new Set(['jwt']), 'T')).toBe('jwt=other&jwt');
  });
});
