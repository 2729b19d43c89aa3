import { describe, expect, it } from 'vitest';
import { base, errorLines, valid } from './helpers.js';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../../../src/config/check.js';

describe('gateway authorizer fields', () => {
  it('leaves the authorizer off, with no prefix and automatic source, by default', () => {
    const g = valid(base()).gateway;
    expect(g.authorizer_listen ?? null).toBeNull();
    expect(g.authorizer_path_prefix ?? '').toBe('');
    expect(g.authorizer_source ?? 'auto').toBe('auto');
    expect(valid(base({ gateway: { authorizer_listen: 'off' } })).gateway.authorizer_listen ?? null).toBeNull();
  });

  it('reads a listen address, an Envoy path prefix and a pinned source', () => {
    const g = valid(
      base({ gateway: { authorizer_listen: '[::1]:8003', authorizer_path_prefix: '/ext/authz', authorizer_source: 'nginx' } }),
    ).gateway;
    expect(g.authorizer_listen).toMatchObject({ host: '::1', port: 8003, ssl: false, engine: null });
    expect(g.authorizer_path_prefix).toBe('/ext/authz');
    expect(g.authorizer_source).toBe('nginx');
  });

  it('lists every bad authorizer value with its path', () => {
    expect(
      errorLines(base({ gateway: { authorizer_listen: 8003, authorizer_path_prefix: 'authz/', authorizer_source: 'haproxy' } })),
    ).toEqual([
      "$.gateway.authorizer_listen: expected a string or a non-empty list of strings (e.g. '127.0.0.1:8003') or 'off'",
      "$.gateway.authorizer_path_prefix: expected a path such as '/authz' (no query, no trailing '/'), or ''",
      '$.gateway.authorizer_source: expected one of: auto, traefik, nginx, envoy',
    ]);
    expect(errorLines(base({ gateway: { authorizer_listen: 'localhost', authorizer_path_prefix: '/a?b' } }))).toEqual([
      "$.gateway.authorizer_listen: expected 'host:port' followed by flags (e.g. '127.0.0.1:8003'), got 'localhost'",
      "$.gateway.authorizer_path_prefix: expected a path such as '/authz' (no query, no trailing '/'), or ''",
    ]);
  });

  it('takes the engine= flag of the listener syntax and refuses every other flag and a second address', () => {
    expect(valid(base({ gateway: { authorizer_listen: '127.0.0.1:8003 engine=node' } })).gateway.authorizer_listen).toMatchObject({
      host: '127.0.0.1',
      port: 8003,
      engine: 'node',
    });
    expect(valid(base({ gateway: { authorizer_listen: ['127.0.0.1:8003'] } })).gateway.authorizer_listen).toMatchObject({ port: 8003 });
    expect(errorLines(base({ gateway: { authorizer_listen: '127.0.0.1:8003 ssl http2' } }))).toEqual([
      "$.gateway.authorizer_listen: flag(s) 'ssl', 'http2' not supported on authorizer_listen (only engine=uws|node)",
    ]);
    expect(errorLines(base({ gateway: { authorizer_listen: '127.0.0.1:8003 engine=h2o' } }))).toEqual([
      "$.gateway.authorizer_listen: flag 'engine' expects engine=uws|node",
    ]);
    expect(errorLines(base({ gateway: { authorizer_listen: '127.0.0.1:8003, 127.0.0.1:8004' } }))).toEqual([
      "$.gateway.authorizer_listen: expected one address (e.g. '127.0.0.1:8003') or 'off'",
    ]);
  });

  it('refuses the port of the proxy or admin listener', () => {
    expect(errorLines(base({ gateway: { proxy_listen: '0.0.0.0:8000', authorizer_listen: '127.0.0.1:8000' } }))).toEqual([
      '$.gateway.authorizer_listen: 127.0.0.1:8000 uses the same port as proxy_listen 0.0.0.0:8000; each listener needs its own port',
    ]);
    expect(errorLines(base({ gateway: { authorizer_listen: '127.0.0.1:8001' } }))).toEqual([
      '$.gateway.authorizer_listen: 127.0.0.1:8001 uses the same port as admin_listen 127.0.0.1:8001; each listener needs its own port',
    ]);
    expect(errorLines(base({ gateway: { proxy_listen: '127.0.0.1:0', authorizer_listen: '127.0.0.1:0' } }))).toEqual([]);
  });

  it('refuses any two listeners on one port: status and authorizer, proxy and admin, two proxy entries', () => {
    expect(
      errorLines(base({ gateway: { proxy_listen: '127.0.0.1:0', status_listen: '127.0.0.1:8100', authorizer_listen: '127.0.0.1:8100' } })),
    ).toEqual([
      '$.gateway.authorizer_listen: 127.0.0.1:8100 uses the same port as status_listen 127.0.0.1:8100; each listener needs its own port',
    ]);
    expect(errorLines(base({ gateway: { proxy_listen: '0.0.0.0:8001' } }))).toEqual([
      '$.gateway.admin_listen: 127.0.0.1:8001 uses the same port as proxy_listen 0.0.0.0:8001; each listener needs its own port',
    ]);
    expect(errorLines(base({ gateway: { proxy_listen: '127.0.0.1:9000, 0.0.0.0:9000 ssl' } })).slice(-1)).toEqual([
      '$.gateway.proxy_listen: 0.0.0.0:9000 uses the same port as proxy_listen 127.0.0.1:9000; each listener needs its own port',
    ]);
    // Different hosts, neither a wildcard, may share a port.
    expect(errorLines(base({ gateway: { proxy_listen: '127.0.0.1:9000', status_listen: '127.0.0.2:9000' } }))).toEqual([]);
  });

  it('is named by portcullis check when set', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'portcullis-check-')), 'kong.json');
    writeFileSync(path, JSON.stringify(base({ gateway: { proxy_listen: '127.0.0.1:0', authorizer_listen: '127.0.0.1:8003' } })));
    expect(checkConfig(path).text).toContain('authorizer_listen 127.0.0.1:8003');
  });
});
