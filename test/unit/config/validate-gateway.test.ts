import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { base, errorLines, load, valid } from './helpers.js';

describe('gateway section', () => {
  it('emits every field, defaulted (a total GatewaySettings)', () => {
    const g = valid(base()).gateway;
    expect(g).toEqual({
      proxy_listen: [{ host: '0.0.0.0', port: 8000, ssl: false, http2: false, reuseport: false, backlog: null, engine: null, flags: [] }],
      admin_listen: [{ host: '127.0.0.1', port: 8001, ssl: false, http2: false, reuseport: false, backlog: null, engine: null, flags: [] }],
      http_engine: 'uws',
      workers: availableParallelism(),
      max_header_bytes: 16384,
      max_body_bytes: 1073741824,
      log_level: 'info',
      drain_timeout_ms: 10000,
      gc_semi_space_mb: 16,
      discard_body_max_bytes: 1048576,
      lingering_time_ms: 30000,
      lingering_timeout_ms: 5000,
      admin_token: null,
      admin_token_file: null,
      admin_allowed_origins: [],
      admin_allowed_hosts: [],
      asymmetric_verify: 'libuv',
      verify_queue_max: 4096,
      verify_pool_threads: 0,
      jwks_cache_min_seconds: 30,
      jwks_cache_max_seconds: 300,
      jwks_refetch_interval_seconds: 10,
      jwks_fetch_timeout_ms: 5000,
      jwks_max_bytes: 1048576,
      jwks_ready_timeout_ms: 10000,
      ssl_cert: null,
      ssl_cert_key: null,
      authorizer_listen: null,
      authorizer_path_prefix: '',
      authorizer_source: 'auto',
      access_log: null,
      watch_config: false,
      admin_writes: true,
      admin_config_endpoint: false,
      status_listen: null,
      drain_delay_ms: 0,
      token_cache: { enabled: true, max_entries: 100000, max_bytes: 33554432, max_token_bytes: 8192 },
    });
  });
  it('reads explicit values, IPv6 listen addresses and admin "off"', () => {
    const g = valid(
      base({ gateway: { proxy_listen: '[::1]:0', admin_listen: 'off', workers: 3, log_level: 'warn', token_cache: { enabled: false } } }),
    ).gateway;
    expect(g.proxy_listen).toMatchObject([{ host: '::1', port: 0 }]);
    expect(g.admin_listen).toBeNull();
    expect(g.workers).toBe(3);
    expect(g.log_level).toBe('warn');
    expect(g.token_cache.enabled).toBe(false);
  });
  it('rejects bad gateway values', () => {
    expect(
      errorLines(
        base({
          gateway: {
            proxy_listen: '8000',
            admin_listen: 'no',
            workers: 0,
            max_header_bytes: 100,
            log_level: 'loud',
            token_cache: { max_entries: 'many' },
          },
        }),
      ),
    ).toEqual([
      '$.gateway.workers: value should be between 1 and 64',
      "$.gateway.proxy_listen: expected 'host:port' followed by flags (e.g. '0.0.0.0:8000'), got '8000'",
      "$.gateway.admin_listen: expected 'host:port' followed by flags (e.g. '127.0.0.1:8001'), got 'no'",
      '$.gateway.max_header_bytes: value should be between 4096 and 1048576',
      '$.gateway.log_level: expected one of: fatal, error, warn, info, debug, trace, silent',
      '$.gateway.token_cache.max_entries: expected an integer',
    ]);
    expect(errorLines(base({ gateway: { workers: 'many' } }))).toEqual(["$.gateway.workers: expected 'auto' or an integer"]);
  });
});

describe('gateway section: replica settings', () => {
  it('fills in the defaults (status off, writes on, no delay)', () => {
    const g = valid(base()).gateway;
    expect(g).toMatchObject({
      watch_config: false,
      admin_writes: true,
      admin_config_endpoint: false,
      status_listen: null,
      drain_delay_ms: 0,
    });
  });
  it('reads status_listen with the listener syntax, the flags and the drain delay', () => {
    const g = valid(
      base({
        gateway: {
          status_listen: '0.0.0.0:8100',
          watch_config: true,
          admin_writes: false,
          admin_config_endpoint: true,
          drain_delay_ms: 5000,
        },
      }),
    ).gateway;
    expect(g).toMatchObject({
      status_listen: { host: '0.0.0.0', port: 8100 },
      watch_config: true,
      admin_writes: false,
      admin_config_endpoint: true,
      drain_delay_ms: 5000,
    });
    expect(valid(base({ gateway: { status_listen: 'off' } })).gateway.status_listen).toBeNull();
  });
  it('lists every bad replica setting with its path', () => {
    expect(errorLines(base({ gateway: { status_listen: '8100', watch_config: 'yes', admin_writes: 0, drain_delay_ms: -1 } }))).toEqual([
      '$.gateway.watch_config: expected a boolean',
      '$.gateway.admin_writes: expected a boolean',
      '$.gateway.drain_delay_ms: value should be between 0 and 3600000',
      "$.gateway.status_listen: expected 'host:port' followed by flags (e.g. '0.0.0.0:8100'), got '8100'",
    ]);
  });
  it('parses status_listen as admin_listen is parsed: one address, ssl refused, other flags warned about', () => {
    expect(valid(base({ gateway: { status_listen: ['[::1]:8100'] } })).gateway.status_listen).toEqual({ host: '::1', port: 8100 });
    expect(errorLines(base({ gateway: { status_listen: '0.0.0.0:8100 ssl' } }))).toEqual([
      "$.gateway.status_listen: flag 'ssl' is not supported on status_listen; probes use plain HTTP",
    ]);
    expect(errorLines(base({ gateway: { status_listen: '127.0.0.1:8100, 127.0.0.1:8101' } }))).toEqual([
      "$.gateway.status_listen: expected one address (e.g. '0.0.0.0:8100') or 'off'",
    ]);
    expect(load(base({ gateway: { status_listen: '0.0.0.0:8100 http2' } })).warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      '$.gateway.status_listen: flags http2, engine= and backlog= have no effect on status_listen (Node http/1.1)',
    ]);
  });
});
