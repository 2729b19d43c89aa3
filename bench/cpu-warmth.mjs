// How much slower the same work runs right after its CPU slept: the machine's cost of a wake-up, by working set.
//
// A server that sleeps between requests (epoll with nothing ready) pays it on every request; one kept busy (a
// closed-loop run) does not. Usage, pinned to the CPU in question:
//   taskset -c 1 node bench/cpu-warmth.mjs [--sizes KiB,...] [--sleeps µs,...] [--steps N] [--reps N]
import fs from 'node:fs';
import { parseArgs } from 'node:util';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Median microseconds of one chunk of work (`steps` random read-modify-writes over `bytes`, a power of two) when each
 * chunk starts right after a sleep of `sleepUs` (0: back to back). The first tenth of the chunks only warm up.
 */
export function chunkUs(bytes, sleepUs, steps, reps) {
  const memory = new Uint8Array(bytes).fill(1);
  const mask = bytes - 1;
  const times = new Float64Array(reps);
  const warm = Math.ceil(reps / 10);
  let x = 1;
  for (let r = -warm; r < reps; r++) {
    if (sleepUs > 0) Atomics.wait(sleeper, 0, 0, sleepUs / 1000);
    const start = process.hrtime.bigint();
    for (let i = 0; i < steps; i++) {
      x = (Math.imul(x, 1103515245) + 12345) | 0;
      memory[(x >>> 8) & mask]++;
    }
    if (r >= 0) times[r] = Number(process.hrtime.bigint() - start) / 1000;
  }
  times.sort();
  return times[reps >> 1];
}

/** One row per working set (KiB, rounded up to a power of two): the chunk's median µs for each sleep. */
export function measureWarmth({ sizesKiB, sleepsUs, steps = 4000, reps = 2000 }) {
  return sizesKiB.map((kib) => {
    const bytes = 2 ** Math.ceil(Math.log2(kib * 1024));
    return { bytes, us: sleepsUs.map((sleepUs) => chunkUs(bytes, sleepUs, steps, reps)) };
  });
}

/** The markdown table: each cell the median, and after the first column its ratio to the back-to-back figure. */
export function renderWarmth(rows, sleepsUs) {
  const size = (b) => (b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 1024} KiB`);
  const head = `| working set | ${sleepsUs.map((s) => (s === 0 ? 'back to back' : `after ${s} µs asleep`)).join(' | ')} |`;
  const lines = [head, `|---|${sleepsUs.map(() => '---').join('|')}|`];
  for (const { bytes, us } of rows) {
    const cells = us.map((t, i) => (i === 0 ? `${t.toFixed(1)} µs` : `${t.toFixed(1)} µs (${(t / us[0]).toFixed(2)}×)`));
    lines.push(`| ${size(bytes)} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] && new URL(import.meta.url).pathname === fs.realpathSync(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '64,1024,8192' },
      sleeps: { type: 'string', default: '0,30,100,300,1000' },
      steps: { type: 'string', default: '4000' },
      reps: { type: 'string', default: '2000' },
    },
  });
  const list = (text) => text.split(',').map(Number);
  const sleepsUs = list(values.sleeps);
  const rows = measureWarmth({ sizesKiB: list(values.sizes), sleepsUs, steps: Number(values.steps), reps: Number(values.reps) });
  console.log(renderWarmth(rows, sleepsUs));
}
