import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatRatio, intervalSide, medianInterval, quantile, summarizeRatios } from '../../../bench/macro/paired-stats.mjs';
import { loadWindow, renderPaired, runPairs } from '../../../bench/macro/paired.mjs';
import { abReading, parseSide, renderAb } from '../../../bench/macro/ab.mjs';

const window = (perCpuS: number | null, ok = true) => ({
  ok,
  problems: ok ? [] : ['unexpected statuses: 502×3'],
  rps: perCpuS ?? 0,
  perCpuS,
});
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('paired ratio statistics', () => {
  it('interpolates quartiles between ranks', () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
    expect(quantile([7], 0.25)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
  });

  it("gives the median's interval from order statistics with its exact binomial coverage", () => {
    // 10 values: [x2, x9] covers the median with 1 − 2·11/1024.
    expect(medianInterval(range(10))).toEqual({ lo: 2, hi: 9, coverage: 1 - 22 / 1024 });
    // 20 values: [x6, x15], 1 − 2·P(X ≤ 5) = 1 − 2·21700/2^20.
    expect(medianInterval(range(20))).toEqual({ lo: 6, hi: 15, coverage: 1 - 43400 / 2 ** 20 });
    // Below 6 values 95% is out of reach: the whole range, and the coverage it really has.
    expect(medianInterval(range(5))).toEqual({ lo: 1, hi: 5, coverage: 0.9375 });
    expect(medianInterval(range(3))).toEqual({ lo: 1, hi: 3, coverage: 0.75 });
  });

  it('summarizes the pairs: median, quartiles, interval, range; failed pairs are left out', () => {
    const s = summarizeRatios([1.1, 0.9, null as unknown as number, 1.0, Number.NaN, 0.95, 1.05, 1.2, 0.8, 1.0, 1.02, 0.98]);
    expect(s).toMatchObject({ n: 10, median: 1.0, min: 0.8, max: 1.2, ciLo: 0.9, ciHi: 1.1 });
    expect(s.q1).toBeCloseTo(0.9575);
    expect(s.q3).toBeCloseTo(1.0425);
    expect(formatRatio(s)).toBe('1.00× (97.8% CI 0.90–1.10, IQR 0.96–1.04, 10 pairs)');
    expect(formatRatio(summarizeRatios([0.9]))).toBe('0.90× (1 pair)');
    expect(formatRatio(summarizeRatios([]))).toBe('–');
  });

  it('reads A ÷ B as the inverse of B ÷ A', () => {
    const ratios = [0.8, 0.9, 0.95, 1.1, 1.3, 0.85, 1.0];
    const ba = summarizeRatios(ratios);
    const ab = summarizeRatios(ratios.map((r) => 1 / r));
    expect(ab.median).toBeCloseTo(1 / ba.median!);
    expect([ab.ciLo, ab.ciHi]).toEqual([1 / ba.ciHi!, 1 / ba.ciLo!]);
  });

  it('says whether the interval lies above, below or across a threshold', () => {
    const s = summarizeRatios([0.91, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 1.0]);
    expect(intervalSide(s, 0.9)).toBe('above');
    expect(intervalSide(s, 0.95)).toBe('straddles');
    expect(intervalSide(s, 1.0)).toBe('below');
  });
});

describe('paired windows', () => {
  it('alternates the order of A and B and divides B by A within each pair', async () => {
    const calls: string[] = [];
    const a = async () => {
      calls.push('A');
      return window(100);
    };
    const bRates = [90, 95, 100, 110];
    const b = async () => {
      calls.push('B');
      return window(bRates[calls.filter((c) => c === 'B').length - 1]!);
    };
    const r = await runPairs({ a, b, pairs: 4 });
    expect(calls.join('')).toBe('ABBAABBA');
    expect(r.pairs.map((p) => [p.order, p.ratio])).toEqual([
      ['AB', 0.9],
      ['BA', 0.95],
      ['AB', 1],
      ['BA', 1.1],
    ]);
    expect(r).toMatchObject({ ok: true, n: 4, median: 0.975 });
  });

  it('fails the result when a window failed and leaves that pair out of the median', async () => {
    let i = 0;
    const r = await runPairs({ a: async () => window(100), b: async () => window(80, i++ !== 1), pairs: 3 });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(['unexpected statuses: 502×3']);
    expect(r.pairs.map((p) => p.ratio)).toEqual([0.8, null, 0.8]);
    expect(r.n).toBe(2);
  });

  it('loads the same cell unmeasured before each measured window, and measures only the window', async () => {
    const calls: { durationS: number; pid?: number }[] = [];
    const load = async (o: { url: string; durationS: number; pid?: number }) => {
      calls.push({ durationS: o.durationS, pid: o.pid });
      return window(100);
    };
    await loadWindow(load, { url: 'x' }, { windowS: 1.5, warmS: 0.5, pid: 42 });
    expect(calls).toEqual([
      { durationS: 0.5, pid: undefined },
      { durationS: 1.5, pid: 42 },
    ]);
    calls.length = 0;
    await loadWindow(load, { url: 'x' }, { windowS: 1, warmS: 0, pid: 42 });
    expect(calls).toEqual([{ durationS: 1, pid: 42 }]);
  });

  it('renders the paired table with the interval, the IQR and the range', async () => {
    const r = await runPairs({ a: async () => window(100), b: async () => window(93), pairs: 6 });
    const md = renderPaired({ 'hs256-one': { a: 'portcullis passthrough', b: 'portcullis hs256-one', ...r } }, { pairs: 6, windowS: 1.5 });
    expect(md!.split('\n').at(-1)).toBe(
      '| hs256-one | portcullis hs256-one ÷ portcullis passthrough | 0.93× | 0.93 – 0.93 (96.8%) | 0.93 – 0.93 | 0.93 – 0.93 |',
    );
    expect(renderPaired({}, { pairs: 6, windowS: 1.5 })).toBeNull();
  });
});

describe('A/B mode', () => {
  it('takes a side as a bench system, a built checkout or a command with {config}', () => {
    const cmd = 'node dist/cli.js --config {config}';
    expect(parseSide('portcullis', cmd)).toEqual({ spec: 'portcullis', cmd, accessLog: false });
    expect(parseSide('portcullis-log', cmd)).toEqual({ spec: 'portcullis-log', cmd, accessLog: true });
    expect(parseSide('portcullis-node', cmd).cmd).toBe(`${cmd} --http-engine node`);
    expect(parseSide('node other.js -c {config}', cmd).cmd).toBe('node other.js -c {config}');
    expect(parseSide('node other.js -c {config}+log', cmd)).toMatchObject({ cmd: 'node other.js -c {config}', accessLog: true });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-side-'));
    try {
      expect(() => parseSide(dir, cmd)).toThrow(/dist\/cli\.js not found/);
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist', 'cli.js'), '');
      expect(parseSide(dir, cmd).cmd).toBe(`node ${JSON.stringify(path.join(dir, 'dist', 'cli.js'))} --config {config}`);
      expect(parseSide(`${dir}+log`, cmd)).toEqual({ ...parseSide(dir, cmd), spec: `${dir}+log`, accessLog: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseSide('node dist/cli.js', cmd)).toThrow(/a command with \{config\}/);
  });

  it('reads B as better or worse only when the interval excludes 1', () => {
    const of = (ratios: number[]) => ({ scenario: 'passthrough', ok: true, problems: [], pairs: [], ...summarizeRatios(ratios) });
    expect(abReading(of([1.05, 1.06, 1.07, 1.08, 1.09, 1.1]))).toBe('B does more per CPU-second');
    expect(abReading(of([0.85, 0.86, 0.87, 0.88, 0.89, 0.9]))).toBe('B does less per CPU-second');
    expect(abReading(of([0.9, 0.95, 1.0, 1.02, 1.05, 1.1]))).toBe('no difference shown (the interval holds 1.00)');
    const md = renderAb({ sides: ['a', 'b'], results: [{ scenario: 'upload-1m', na: 'no uploads' }], pairs: 6, windowS: 1 });
    expect(md.split('\n').at(-1)).toBe('| upload-1m | n/a: no uploads | | | | | |');
  });

  it('at a fixed rate prints each side as CPU per request with its p99 next to the paired ratio', async () => {
    const at = (perCpuS: number, p99: number) => async () => ({ ...window(perCpuS), p99 });
    const r = await runPairs({ a: at(10_000, 2), b: at(12_500, 1.5), pairs: 6 });
    const md = renderAb({ sides: ['base', 'portcullis'], results: [{ scenario: 'passthrough', ...r }], pairs: 6, windowS: 2, rate: 5000 });
    expect(md).toContain('open loop at 5000 req/s');
    expect(md.split('\n').at(-1)).toBe(
      '| passthrough | 1.25× | 1.25 – 1.25 (96.8%) | 1.25 – 1.25 | 10.0k | 12.5k | 100 µs | 80 µs | 2.00 ms | 1.50 ms | B does more per CPU-second |',
    );
    const na = renderAb({ sides: ['a', 'b'], results: [{ scenario: 'hs256-one', na: 'tokens' }], pairs: 6, windowS: 1, rate: 100 });
    expect(na.split('\n').at(-1)).toBe('| hs256-one | n/a: tokens | | | | | | | | | |');
  });
});
