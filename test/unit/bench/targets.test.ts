import { describe, expect, it } from 'vitest';
import { evaluateTargets, renderTargets } from '../../../bench/macro/targets.mjs';
import { addedP99, addedP99Without, renderLatencyRows, renderSchedRows, summarizeSched } from '../../../bench/macro/latency.mjs';
import { summarizeCell } from '../../../bench/macro/report.mjs';
import { parseResponse } from '../../../bench/macro/open-loop.mjs';
import { summarizeRatios } from '../../../bench/macro/paired-stats.mjs';

const cell = (perCpuS: number, p99 = 1) =>
  summarizeCell([{ ok: true, problems: [], rps: perCpuS, perCpuS, p50: p99 / 2, p99, p999: p99 * 2 }]);
const latency = (directP99: number, gatewayP99: number) => ({
  maxRps: 40_000,
  rows: [0.25, 0.5, 0.75].map((share) => ({
    share,
    rate: 40_000 * share,
    cells: { direct: cell(1, directP99), portcullis: cell(1, gatewayP99) },
  })),
});
const idle = (share: number) => ({ seconds: 20, cpuS: share * 20, share, resolution: 0.0005 });

describe('#16 targets from one bench run', () => {
  it('passes every target when the gateway meets each threshold', () => {
    const cells = {
      portcullis: {
        passthrough: cell(41_000),
        'hs256-one': cell(39_000),
        'bad-sig': cell(101_000),
        'no-token': cell(120_000),
        'no-route': cell(130_000),
        'resp-64k': cell(15_500),
        'hs256-policy': cell(37_000),
      },
      'portcullis-log': { passthrough: cell(38_000) },
    };
    const targets = evaluateTargets({ cells, latency: latency(0.4, 1.2), idle: idle(0.002), upstream: 'nginx' });
    expect(targets.map((t) => [t.id, t.pass])).toEqual([
      ['passthrough', true],
      ['hs256-one', true],
      ['hs256-policy', true],
      ['access-log', true],
      ['refusals', true],
      ['resp-64k', true],
      ['p99-added', true],
      ['idle', true],
    ]);
    expect(targets.find((t) => t.id === 'hs256-one')!.measured).toBe('0.95× (39.0k/CPU-s)');
  });

  it('fails a target below its threshold and says which refusal fell short', () => {
    const cells = {
      portcullis: {
        passthrough: cell(32_000),
        'hs256-one': cell(28_000),
        'bad-sig': cell(62_000),
        'no-token': cell(110_000),
        'no-route': cell(105_000),
      },
    };
    const targets = evaluateTargets({ cells, latency: latency(0.4, 2), idle: idle(0.02), upstream: 'nginx' });
    const byId = Object.fromEntries(targets.map((t) => [t.id, t]));
    expect(byId.passthrough!.pass).toBe(false);
    expect(byId['hs256-one']!.pass).toBe(false);
    expect(byId.refusals!.measured).toBe(
      'bad-sig 62.0k, no-token 110.0k, no-route 105.0k; needs 100.0k (absolute; uWS hello world not measured)',
    );
    expect(byId.refusals!.pass).toBe(false);
    expect(byId['p99-added']!.pass).toBe(false);
    expect(byId.idle!.pass).toBe(false);
  });

  it('scales each throughput target by its reference measured in the same run', () => {
    // A machine where nginx proxy_pass does half the 57.4k and uWS hello-world half its 146k.
    const cells = {
      'nginx-proxy': { passthrough: cell(28_700), 'resp-64k': cell(14_300) },
      hello: { passthrough: cell(73_000) },
      portcullis: {
        passthrough: cell(20_500),
        'bad-sig': cell(51_000),
        'no-token': cell(52_000),
        'no-route': cell(49_000),
        'resp-64k': cell(7_400),
      },
    };
    const byId = Object.fromEntries(evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx' }).map((t) => [t.id, t]));
    expect(byId.passthrough!.measured).toBe('20.5k/CPU-s; needs 20.0k = 0.70× nginx proxy_pass 28.7k');
    expect(byId.passthrough!.pass).toBe(true);
    expect(byId['resp-64k']!.pass).toBe(false);
    expect(byId['resp-64k']!.measured).toBe('7.40k/CPU-s; needs 7.50k = 0.52× nginx proxy_pass 14.3k');
    // 0.68 × 73k = 50.0k: no-route at 49k falls short, so the refusal target fails.
    expect(byId.refusals!.pass).toBe(false);
    expect(byId.refusals!.measured).toContain('needs 50.0k = 0.68× uWS hello world 73.0k');
  });

  it('reads not measured where the run lacked a scenario, the latency rows or the idle window', () => {
    const targets = evaluateTargets({ cells: { portcullis: { passthrough: cell(45_000) } }, latency: null, idle: null, upstream: 'uws' });
    expect(targets[0]!.measured).toContain('(this run: uWS upstream, not nginx)');
    expect(targets.slice(1).map((t) => t.pass)).toEqual([null, null, null, null, null, null, null]);
    const table = renderTargets(targets).split('\n');
    expect(table[0]).toBe('| target | measured | verdict |');
    expect(table[3]).toContain('| not measured | not measured |');
  });

  it('judges a ratio target from its paired median, not from the two cells of the medians table', () => {
    // The medians table reads 0.85× (cells minutes apart); the pairs of adjacent windows read 0.95×.
    const cells = { portcullis: { passthrough: cell(20_000), 'hs256-one': cell(17_000), 'hs256-policy': cell(19_000) } };
    const paired = {
      'hs256-one': { ok: true, problems: [], ...summarizeRatios([0.94, 0.95, 0.96, 0.95, 0.97, 0.93, 0.95, 0.96, 0.94, 0.95]) },
      // Its interval (0.86–0.94) holds 0.9: judged from the median, flagged as not settled.
      'hs256-policy': { ok: true, problems: [], ...summarizeRatios([0.86, 0.87, 0.88, 0.89, 0.895, 0.905, 0.91, 0.92, 0.94, 0.95]) },
    };
    const byId = Object.fromEntries(evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx', paired }).map((t) => [t.id, t]));
    expect(byId['hs256-one']).toMatchObject({ pass: true, straddles: false });
    expect(byId['hs256-one']!.measured).toBe(
      'paired 0.95× (97.8% CI 0.94–0.96, IQR 0.94–0.96, 10 pairs); medians table 0.85× (17.0k/CPU-s)',
    );
    expect(byId['hs256-policy']).toMatchObject({ pass: true, straddles: true });
    expect(renderTargets([byId['hs256-policy']!]).split('\n')[2]).toMatch(/\| pass \(the interval holds the threshold\) \|$/);
    // Without pairs (--pairs 0, or a failed paired run) the medians table decides, as before.
    const failed = { 'hs256-one': { ...paired['hs256-one'], ok: false, problems: ['process exited'] } };
    const fallback = evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx', paired: failed });
    expect(fallback.find((t) => t.id === 'hs256-one')).toMatchObject({ pass: false, measured: '0.85× (17.0k/CPU-s)' });
  });

  it('judges scaled targets and refusals from paired ratios to their same-run reference', () => {
    const cells = {
      'nginx-proxy': { passthrough: cell(30_000), 'resp-64k': cell(15_000) },
      hello: { passthrough: cell(50_000) },
      portcullis: {
        passthrough: cell(19_000),
        'bad-sig': cell(30_000),
        'no-token': cell(36_000),
        'no-route': cell(36_000),
        'resp-64k': cell(7_000),
      },
    };
    const at = (r: number) => ({ ok: true, problems: [], ...summarizeRatios([r, r, r, r, r, r]) });
    const paired = { passthrough: at(0.72), 'bad-sig': at(0.6), 'no-token': at(0.71), 'no-route': at(0.7), 'resp-64k': at(0.55) };
    const byId = Object.fromEntries(evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx', paired }).map((t) => [t.id, t]));
    // The table alone would fail passthrough (19.0k < 0.70 × 30.0k = 20.9k); the paired 0.72× passes.
    expect(byId.passthrough!.pass).toBe(true);
    expect(byId.passthrough!.measured).toBe(
      '19.0k/CPU-s; paired 0.72× (96.8% CI 0.72–0.72, IQR 0.72–0.72, 6 pairs) of nginx proxy_pass, needs 0.70×',
    );
    expect(byId['resp-64k']!.pass).toBe(true);
    expect(byId.refusals).toMatchObject({ pass: false, straddles: false });
    expect(byId.refusals!.measured).toMatch(/^bad-sig paired 0\.60× .*; needs 0\.68×$/);
    // One refusal wholly below its threshold settles the FAIL, whatever the others' intervals hold.
    const wide = { ok: true, problems: [], ...summarizeRatios([0.5, 0.6, 0.7, 0.72, 0.75, 0.8]) };
    const settled = evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx', paired: { ...paired, 'no-route': wide } });
    expect(settled.find((t) => t.id === 'refusals')).toMatchObject({ pass: false, straddles: false });
    const open = evaluateTargets({ cells, latency: null, idle: null, upstream: 'nginx', paired: { ...paired, 'bad-sig': wide } });
    expect(open.find((t) => t.id === 'refusals')).toMatchObject({ pass: true, straddles: true });
  });

  it('computes the p99 the gateway adds over the direct upstream at the same rate', () => {
    const l = latency(0.5, 1.25);
    expect(addedP99(l.rows[1]!)).toBeCloseTo(0.75);
    const table = renderLatencyRows({
      latency: l,
      systems: [
        { id: 'direct', label: 'direct' },
        { id: 'portcullis', label: 'Portcullis' },
      ],
    });
    // cell() reports rps equal to perCpuS: one full core busy.
    expect(table.split('\n')[3]).toBe(
      '| 50% = 20.0k req/s | 0.25 ms / 0.50 ms / 1.00 ms · 100% CPU | 0.63 ms / 1.25 ms / 2.50 ms · 100% CPU | +0.75 ms |',
    );
  });

  it("measures the p99 added against the proxies' own upstream reached without a proxy when the run has it, and shows the direct figure beside it", () => {
    const l = latency(0.5, 1.25);
    for (const row of l.rows) (row.cells as Record<string, unknown>).upstream = cell(1, 0.9);
    expect(addedP99(l.rows[1]!)).toBeCloseTo(0.35);
    expect(addedP99(l.rows[1]!, 'portcullis', 'direct')).toBeCloseTo(0.75);
    const table = renderLatencyRows({
      latency: l,
      systems: [
        { id: 'direct', label: 'direct' },
        { id: 'upstream', label: 'upstream' },
        { id: 'portcullis', label: 'Portcullis' },
      ],
    });
    expect(table.split('\n')[0]).toBe(
      '| rate | direct p50 / p99 / p99.9 | upstream p50 / p99 / p99.9 | Portcullis p50 / p99 / p99.9 | p99 added by Portcullis |',
    );
    expect(table.split('\n')[3]!.endsWith('| +0.35 ms (+0.75 ms vs direct) |')).toBe(true);
    const targets = evaluateTargets({ cells: { portcullis: { passthrough: cell(45_000) } }, latency: l, idle: null, upstream: 'nginx' });
    expect(targets.find((t) => t.id === 'p99-added')!.pass).toBe(true);
  });
});

describe('the latency rows with --trace-sched', () => {
  const attribution = (p99Without: number, slow: number, slowDuringRuns: number, runMs = 4) => ({
    runs: 1,
    runMs,
    byName: { 'tokio-rt-worker': runMs },
    p99: 5,
    slow,
    slowDuringRuns,
    p99Without,
  });

  it("keeps each cell's medians over its traced runs, the share of the slowest that met a run from the runs that had any", () => {
    expect(summarizeSched([attribution(1, 10, 5), attribution(2, 10, 10, 8), attribution(3, 0, 0, 6)])).toEqual({
      traced: 3,
      foreignMs: 6,
      slowShare: 0.75,
      p99Without: 2,
    });
    expect(summarizeSched([attribution(1, 0, 0)]).slowShare).toBeNull();
  });

  it('renders the traced p99s and what the gateway adds over them, and reports that figure beside the verdict', () => {
    const l = latency(0.5, 6);
    const traced = (p99Without: number, slowDuringRuns: number) => summarizeSched([attribution(p99Without, 10, slowDuringRuns)]);
    for (const row of l.rows) {
      const cells = row.cells as Record<string, { sched?: unknown }>;
      cells.direct!.sched = traced(0.5, 0);
      cells.portcullis!.sched = traced(1.25, 8);
    }
    expect(addedP99Without(l.rows[1]!)).toBeCloseTo(0.75);
    const systems = [
      { id: 'direct', label: 'direct' },
      { id: 'portcullis', label: 'Portcullis' },
    ];
    const table = renderSchedRows({ latency: l, systems })!.split('\n');
    expect(table[0]).toBe(
      '| rate | direct p99 without · slowest 1% that met one · foreign ms | Portcullis p99 without · slowest 1% that met one · foreign ms | p99 added by Portcullis, without |',
    );
    expect(table[3]).toBe('| 50% = 20.0k req/s | 0.50 ms · 0% · 4.0 | 1.25 ms · 80% · 4.0 | +0.75 ms |');
    // The verdict stays the raw p99's: 5.50 ms added fails, whatever the traces explain.
    const p99 = evaluateTargets({ cells: {}, latency: l, idle: null, upstream: 'nginx' }).find((t) => t.id === 'p99-added')!;
    expect(p99).toMatchObject({ pass: false, measured: '5.50 ms at 20.0k req/s (0.75 ms over the requests no other process delayed)' });
  });

  it("calls the p99 target not measurable when the baseline's p99 is above the gateway's", () => {
    const p99 = evaluateTargets({ cells: {}, latency: latency(14, 1.27), idle: null, upstream: 'nginx' }).find(
      (t) => t.id === 'p99-added',
    )!;
    expect(p99).toMatchObject({ pass: null, measured: "not measurable at 20.0k req/s: the baseline's p99 was 13 ms above the gateway's" });
    expect(renderTargets([p99])).toContain('| not measured |');
  });

  it('renders nothing for an untraced run', () => {
    expect(renderSchedRows({ latency: latency(0.5, 1), systems: [] })).toBeNull();
    expect(addedP99Without(latency(0.5, 1).rows[1]!)).toBeNull();
  });
});

describe('open-loop response framing', () => {
  it('frames responses by content-length and by chunked encoding, and waits for incomplete ones', () => {
    const a = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"ok":true}\n');
    expect(parseResponse(a)).toEqual({ status: 200, length: a.length });
    expect(parseResponse(a.subarray(0, a.length - 1))).toBeNull();
    const b = Buffer.from('HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1');
    expect(parseResponse(b)).toEqual({ status: 404, length: b.length - 'HTTP/1.1'.length });
  });
});
