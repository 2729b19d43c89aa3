// Summarises a `node --trace-gc-nvp` log per isolate: the scavenges' pause, survivors, promotion and copying phase, and every full collection.
// Usage: node bench/gc-trace.mjs LOG [--after MS]   (MS: skip collections in each isolate's first MS ms, start-up's)
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { percentile } from './macro/load.mjs';

/** One collection from a `--trace-gc-nvp` line: isolate, ms since the isolate started, and its name=value fields. */
export function parseGcLine(line) {
  const m = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: (.*)$/.exec(line);
  if (m === null || !m[3].includes(' gc=')) return null;
  const fields = {};
  for (const pair of m[3].split(' ')) {
    const eq = pair.indexOf('=');
    if (eq > 0) fields[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { isolate: m[1], atMs: Number(m[2]), fields };
}

/** Nearest-rank median, p90 and max, as the bench's latency figures are computed. */
function quantiles(values) {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { median: percentile(v, 0.5), p90: percentile(v, 0.9), max: v[v.length - 1] };
}

/**
 * Per isolate (busiest first: under load, the worker's): scavenge count and quantiles of `pause` (ms),
 * `new_space_survived` and `promoted` (bytes) and `scavenge.parallel` (ms, the copying phase, on one thread here),
 * plus each other collection's time and pause.
 */
export function summarizeGcTrace(text, afterMs = 0) {
  const byIsolate = new Map();
  for (const line of text.split('\n')) {
    const gc = parseGcLine(line);
    if (gc === null || gc.atMs < afterMs) continue;
    if (!byIsolate.has(gc.isolate)) byIsolate.set(gc.isolate, { isolate: gc.isolate, scavenges: [], full: [] });
    const entry = byIsolate.get(gc.isolate);
    if (gc.fields.gc === 's') entry.scavenges.push(gc.fields);
    else entry.full.push({ atMs: gc.atMs, kind: gc.fields.gc, pauseMs: Number(gc.fields.pause) });
  }
  const of = (list, key) => quantiles(list.map((f) => Number(f[key])).filter(Number.isFinite));
  return [...byIsolate.values()]
    .sort((a, b) => b.scavenges.length - a.scavenges.length)
    .map(({ isolate, scavenges, full }) => ({
      isolate,
      scavenges: scavenges.length,
      pauseMs: of(scavenges, 'pause'),
      survivedBytes: of(scavenges, 'new_space_survived'),
      promotedBytes: of(scavenges, 'promoted'),
      copyMs: of(scavenges, 'scavenge.parallel'),
      full,
    }));
}

function render(summary) {
  const q = (x, unit, scale = 1, digits = 2) =>
    x === null
      ? '–'
      : `${(x.median / scale).toFixed(digits)} / ${(x.p90 / scale).toFixed(digits)} / ${(x.max / scale).toFixed(digits)} ${unit}`;
  const lines = ['isolate (busiest first): scavenges; median / p90 / max of pause, survivors, promoted, copying'];
  for (const s of summary) {
    lines.push(
      `${s.isolate}: ${s.scavenges} scavenges; pause ${q(s.pauseMs, 'ms')}; survived ${q(s.survivedBytes, 'KB', 1024, 0)}; ` +
        `promoted ${q(s.promotedBytes, 'KB', 1024, 0)}; copying ${q(s.copyMs, 'ms')}`,
    );
    for (const f of s.full) lines.push(`  full collection (${f.kind}) at ${f.atMs} ms: pause ${f.pauseMs} ms`);
  }
  return lines.join('\n');
}

if (process.argv[1] && new URL(import.meta.url).pathname === fs.realpathSync(process.argv[1])) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { after: { type: 'string' } } });
  if (positionals.length !== 1) {
    console.error('usage: node bench/gc-trace.mjs LOG [--after MS]');
    process.exit(2);
  }
  console.log(render(summarizeGcTrace(fs.readFileSync(positionals[0], 'utf8'), Number(values.after ?? 0))));
}
