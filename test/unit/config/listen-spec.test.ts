import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { base, errorLines, load, valid } from './helpers.js';
import { formatListener, listenerEngine } from '../../../src/config/listen-spec.js';

/** An ssl listener needs a default certificate. */
const TLS_FIXTURE = {
  ssl_cert: fileURLToPath(new URL('../../fixtures/tls/localhost.pem', import.meta.url)),
  ssl_cert_key: fileURLToPath(new URL('../../fixtures/tls/localhost.key', import.meta.url)),
};

const warnings = (doc: unknown): string[] => load(doc).warnings.map((w) => `${w.path}: ${w.message}`);

describe('proxy_listen in kong.conf form', () => {
  it('reads a comma-separated list of addresses with flags', () => {
    const g = valid(
      base({
        gateway: {
          proxy_listen: '0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384',
          ...TLS_FIXTURE,
        },
      }),
    ).gateway;
    expect(g.proxy_listen).toEqual([
      {
        host: '0.0.0.0',
        port: 8000,
        ssl: false,
        http2: false,
        reuseport: true,
        backlog: 16384,
        engine: null,
        flags: ['reuseport', 'backlog=16384'],
      },
      {
        host: '0.0.0.0',
        port: 8443,
        ssl: true,
        http2: true,
        reuseport: true,
        backlog: 16384,
        engine: null,
        flags: ['http2', 'ssl', 'reuseport', 'backlog=16384'],
      },
    ]);
    expect(g.proxy_listen.map(formatListener)).toEqual([
      '0.0.0.0:8000 reuseport backlog=16384',
      '0.0.0.0:8443 http2 ssl reuseport backlog=16384',
    ]);
  });

  it('reads a list of entries, IPv6 addresses and the engine flag', () => {
    const g = valid(base({ gateway: { proxy_listen: ['[::1]:0 engine=node', '127.0.0.1:0 bind'], http_engine: 'node' } })).gateway;
    expect(g.proxy_listen).toMatchObject([
      { host: '::1', port: 0, engine: 'node' },
      { host: '127.0.0.1', port: 0, engine: null },
    ]);
    expect(g.http_engine).toBe('node');
  });

  it('serves http2 listeners with the node engine and honours engine= over http_engine', () => {
    const [plain, h2, pinned] = valid(
      base({ gateway: { proxy_listen: '127.0.0.1:1, 127.0.0.1:2 http2 engine=uws, 127.0.0.1:3 engine=node' } }),
    ).gateway.proxy_listen;
    expect(listenerEngine(plain!, 'uws')).toBe('uws');
    expect(listenerEngine(plain!, 'node')).toBe('node');
    expect(listenerEngine(h2!, 'uws')).toBe('node');
    expect(listenerEngine(pinned!, 'uws')).toBe('node');
  });

  it('warns about each accepted flag that is not implemented', () => {
    expect(warnings(base({ gateway: { proxy_listen: '127.0.0.1:8000 deferred proxy_protocol', http_engine: 'node' } }))).toEqual([
      "$.gateway.proxy_listen: flag 'deferred': TCP_DEFER_ACCEPT cannot be set from Node; accepted and ignored",
      "$.gateway.proxy_listen: flag 'proxy_protocol': the PROXY protocol is not implemented; accepted and ignored (do not rely on it for client addresses)",
    ]);
    expect(warnings(base({ gateway: { proxy_listen: '127.0.0.1:8000 backlog=100' } }))).toEqual([
      '$.gateway.proxy_listen: backlog=100 is applied by the node engine only; uWS keeps its built-in backlog',
    ]);
  });

  it('lists every bad flag, bad port and duplicate address with its JSON path', () => {
    expect(
      errorLines(
        base({
          gateway: {
            proxy_listen: ['127.0.0.1:8000 turbo', '127.0.0.1:70000', '127.0.0.1:8000', '127.0.0.1:8001 backlog=0 engine=nginx ssl=yes', 7],
            http_engine: 'apache',
          },
        }),
      ),
    ).toEqual([
      '$.gateway.proxy_listen[4]: expected a string',
      "$.gateway.proxy_listen[0]: unknown flag 'turbo' (expected ssl, http2, reuseport, backlog=N, deferred, bind, proxy_protocol or engine=uws|node)",
      "$.gateway.proxy_listen[1]: expected 'host:port' followed by flags (e.g. '0.0.0.0:8000'), got '127.0.0.1:70000'",
      "$.gateway.proxy_listen[2]: duplicate listen address '127.0.0.1:8000'",
      "$.gateway.proxy_listen[3]: flag 'backlog' expects backlog=N with N between 1 and 65535",
      "$.gateway.proxy_listen[3]: flag 'engine' expects engine=uws|node",
      "$.gateway.proxy_listen[3]: flag 'ssl' takes no value",
      '$.gateway.http_engine: expected one of: uws, node',
    ]);
    expect(errorLines(base({ gateway: { proxy_listen: [] } }))).toEqual([
      "$.gateway.proxy_listen: expected a string or a non-empty list of strings (e.g. '0.0.0.0:8000')",
    ]);
  });

  it('keeps admin_listen "off", takes a list there too and refuses ssl on it', () => {
    expect(valid(base({ gateway: { admin_listen: 'off' } })).gateway.admin_listen).toBeNull();
    expect(valid(base({ gateway: { admin_listen: '127.0.0.1:8001, [::1]:8001' } })).gateway.admin_listen).toMatchObject([
      { host: '127.0.0.1', port: 8001 },
      { host: '::1', port: 8001 },
    ]);
    expect(errorLines(base({ gateway: { admin_listen: '127.0.0.1:8444 http2 ssl' } }))).toEqual([
      "$.gateway.admin_listen: flag 'ssl' is not supported on admin_listen; serve the Admin API on loopback",
    ]);
  });
});
