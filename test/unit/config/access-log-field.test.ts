import { describe, expect, it } from 'vitest';
import { base, errorLines, valid } from './helpers.js';

describe('gateway.access_log', () => {
  it('is off when absent, false, null or "off"', () => {
    for (const value of [undefined, false, null, 'off']) {
      expect(valid(base({ gateway: { access_log: value } })).gateway.access_log ?? null).toBeNull();
    }
  });

  it('means standard output for true and "stdout"', () => {
    expect(valid(base({ gateway: { access_log: true } })).gateway.access_log).toBe('stdout');
    expect(valid(base({ gateway: { access_log: 'stdout' } })).gateway.access_log).toBe('stdout');
  });

  it('takes any other string as a file path', () => {
    expect(valid(base({ gateway: { access_log: 'logs/access.log' } })).gateway.access_log).toBe('logs/access.log');
  });

  it('rejects other values with their JSON path', () => {
    const message = "$.gateway.access_log: expected true, false, 'stdout', 'off' or a file path";
    expect(errorLines(base({ gateway: { access_log: 1 } }))).toEqual([message]);
    expect(errorLines(base({ gateway: { access_log: '' } }))).toEqual([message]);
    expect(errorLines(base({ gateway: { access_log: { path: 'x' } } }))).toEqual([message]);
  });
});
