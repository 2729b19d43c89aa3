// uWS environment: the max header size reaches process.env before uWS loads; an existing value is respected.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_HEADER_BYTES, ensureUwsEnv, setUwsMaxHeaderBytes } from '../../../src/server/uws-env.js';

const saved = process.env.UWS_HTTP_MAX_HEADERS_SIZE;
afterEach(() => {
  if (saved === undefined) delete process.env.UWS_HTTP_MAX_HEADERS_SIZE;
  else process.env.UWS_HTTP_MAX_HEADERS_SIZE = saved;
});

describe('uws-env', () => {
  it('sets UWS_HTTP_MAX_HEADERS_SIZE from max_header_bytes', () => {
    setUwsMaxHeaderBytes(32768);
    expect(process.env.UWS_HTTP_MAX_HEADERS_SIZE).toBe('32768');
  });

  it('applies the 16 KiB default only when nothing set a value', () => {
    delete process.env.UWS_HTTP_MAX_HEADERS_SIZE;
    ensureUwsEnv();
    expect(process.env.UWS_HTTP_MAX_HEADERS_SIZE).toBe(String(DEFAULT_MAX_HEADER_BYTES));
    process.env.UWS_HTTP_MAX_HEADERS_SIZE = '9000';
    ensureUwsEnv();
    expect(process.env.UWS_HTTP_MAX_HEADERS_SIZE).toBe('9000');
  });
});
