import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { createTokenCheck, isLoopbackHost } from '../../../src/admin/admin-http.js';

const withHeader = (v?: string) => ({ headers: v === undefined ? {} : { 'kong-admin-token': v } }) as unknown as IncomingMessage;

describe('admin token check', () => {
  it('lets everything through when no token is configured', () => {
    expect(createTokenCheck(null)(withHeader())).toBe(true);
  });
  it('accepts only the exact Kong-Admin-Token value', () => {
    const check = createTokenCheck('s3cret');
    expect(check(withHeader('s3cret'))).toBe(true);
    expect(check(withHeader('s3cret '))).toBe(false);
    expect(check(withHeader(''))).toBe(false);
    expect(check(withHeader())).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it('treats 127.0.0.0/8, ::1 and localhost as loopback and nothing else', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.internal']) expect(isLoopbackHost(h), h).toBe(false);
  });
});
