import { describe, expect, it } from 'vitest';
import { cpuSeconds, parseCpuList, parseStatTicks, planCpus } from '../../../bench/macro/cpu.mjs';

describe('bench cpu sampling', () => {
  it('reads utime + stime even when the command name holds spaces and parentheses', () => {
    const line = '4242 (node (worker) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 11 0 100 0 0';
    expect(parseStatTicks(line)).toBe(1234 + 567);
  });

  it('rejects text that is not a /proc stat line', () => {
    expect(() => parseStatTicks('nonsense')).toThrow();
  });

  it('returns this process CPU seconds on Linux and null for a pid that does not exist', () => {
    if (process.platform !== 'linux') return;
    expect(cpuSeconds(process.pid)).toBeGreaterThanOrEqual(0);
    expect(cpuSeconds(2 ** 30)).toBeNull();
  });

  it('parses CPU lists with ranges', () => {
    expect(parseCpuList('0-2,5,7-8\n')).toEqual([0, 1, 2, 5, 7, 8]);
  });
});

describe('bench CPU pinning plan', () => {
  it('does not pin on one CPU', () => {
    expect(planCpus([0], { hasTaskset: true })).toMatchObject({ pinned: false, why: 'only one CPU' });
  });

  it('puts the system under test alone on its own CPU and the backend with the load generator on two CPUs', () => {
    expect(planCpus([0, 1], { hasTaskset: true })).toMatchObject({ pinned: true, load: '0', sut: '1', upstream: '0' });
  });

  it('gives the backend upstream the remaining CPUs from three on', () => {
    expect(planCpus([2, 3, 4, 5], { hasTaskset: true })).toMatchObject({ load: '2', sut: '3', upstream: '4,5' });
  });

  it('does not pin without taskset or when disabled', () => {
    expect(planCpus([0, 1], { hasTaskset: false }).pinned).toBe(false);
    expect(planCpus([0, 1], { hasTaskset: true, disabled: true }).why).toMatch(/--no-pin/);
  });
});
