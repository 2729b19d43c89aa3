// Peer address formatting: uWS's expanded IPv6 text becomes what nginx would put in X-Real-IP.
import { describe, expect, it } from 'vitest';
import { compactIpv6 } from '../../../src/server/request-snapshot.js';

describe('compactIpv6', () => {
  it('turns an IPv4-mapped address into a dotted quad', () => {
    expect(compactIpv6('0000:0000:0000:0000:0000:ffff:7f00:0001')).toBe('127.0.0.1');
    expect(compactIpv6('0000:0000:0000:0000:0000:ffff:c000:0207')).toBe('192.0.2.7');
  });

  it('compresses a plain IPv6 address', () => {
    expect(compactIpv6('0000:0000:0000:0000:0000:0000:0000:0001')).toBe('::1');
    expect(compactIpv6('2001:0db8:0000:0000:0000:0000:0000:0042')).toBe('2001:db8::42');
  });
});
