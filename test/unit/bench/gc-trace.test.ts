import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseGcLine, summarizeGcTrace } from '../../../bench/gc-trace.mjs';

const WORKER = '[7:0x7f00aa000f00]';
const MAIN = '[7:0x55aa10]';
const scavenge = (isolate: string, at: number, pause: number, survived: number, promoted: number, copy: number) =>
  `${isolate}    ${at} ms: pause=${pause} mutator=160.0 gc=s reduce_memory=0 scavenge.parallel=${copy} new_space_survived=${survived} promoted=${promoted} promotion_rate=78.0%`;

describe('the --trace-gc-nvp summary', () => {
  it('reads an isolate, its time and name=value fields, and skips lines that are not collections', () => {
    expect(parseGcLine(scavenge(WORKER, 25675, 1.6, 185080, 113272, 1.15))).toMatchObject({
      isolate: '0x7f00aa000f00',
      atMs: 25675,
      fields: { gc: 's', pause: '1.6', new_space_survived: '185080', promotion_rate: '78.0%' },
    });
    expect(parseGcLine('{"level":30,"msg":"listening"}')).toBeNull();
  });

  it('gives each isolate its scavenge quantiles and full collections, busiest first, after the start-up window', () => {
    const text = [
      scavenge(WORKER, 100, 9.0, 900000, 900000, 8.0), // start-up: skipped with --after
      ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => scavenge(WORKER, 9000 + i, i / 10, i * 1000, i * 100, i / 20)),
      scavenge(MAIN, 9500, 3.0, 5000, 4000, 2.0),
      `${MAIN}    16333 ms: pause=34.3 mutator=15000.0 gc=mc reduce_memory=1`,
    ].join('\n');
    const [worker, main] = summarizeGcTrace(text, 8000);
    expect(worker).toMatchObject({ isolate: '0x7f00aa000f00', scavenges: 10, full: [] });
    // Nearest rank, as the bench's latency percentiles: the 5th and 9th of 10.
    expect(worker!.pauseMs).toEqual({ median: 0.5, p90: 0.9, max: 1.0 });
    expect(worker!.survivedBytes!.median).toBe(5000);
    expect(worker!.promotedBytes!.max).toBe(1000);
    expect(main).toMatchObject({ scavenges: 1, full: [{ atMs: 16333, kind: 'mc', pauseMs: 34.3 }] });
  });

  it("summarises a real node's trace", () => {
    const script = 'let keep = 0; for (let i = 0; i < 3e6; i++) keep += { i, s: "x" + i }.s.length; console.log(keep);';
    const text = execFileSync(process.execPath, ['--trace-gc-nvp', '-e', script], { encoding: 'utf8' });
    const [isolate] = summarizeGcTrace(text);
    expect(isolate!.scavenges).toBeGreaterThan(0);
    expect(isolate!.pauseMs!.max).toBeGreaterThanOrEqual(isolate!.pauseMs!.median);
    expect(isolate!.survivedBytes).not.toBeNull();
  });
});
