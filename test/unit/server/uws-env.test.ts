// uWS environment: the resolve step turns max_header_bytes into the clamped variable the worker spawn sets.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_HEADER_BYTES, uwsEnvironment } from '../../../src/server/uws-env.js';
import { resolveConfig } from '../../../src/config/resolve.js';
import { base, valid } from '../config/helpers.js';

describe('uws-env', () => {
  it('gives UWS_HTTP_MAX_HEADERS_SIZE from max_header_bytes, 16 KiB by default', () => {
    expect(uwsEnvironment(32768)).toEqual({ UWS_HTTP_MAX_HEADERS_SIZE: '32768' });
    expect(uwsEnvironment()).toEqual({ UWS_HTTP_MAX_HEADERS_SIZE: String(DEFAULT_MAX_HEADER_BYTES) });
  });

  it('clamps the value to a whole number of at least 1024', () => {
    expect(uwsEnvironment(100)).toEqual({ UWS_HTTP_MAX_HEADERS_SIZE: '1024' });
    expect(uwsEnvironment(5000.7)).toEqual({ UWS_HTTP_MAX_HEADERS_SIZE: '5000' });
  });

  it('is what the resolve step hands the worker spawn', () => {
    const resolved = resolveConfig(valid(base({ gateway: { max_header_bytes: 65536 } })), {});
    expect(resolved.workerEnv).toEqual({ UWS_HTTP_MAX_HEADERS_SIZE: '65536' });
  });
});
