// Paired windows: two cells loaded in turn in short alternating windows, each pair's ratio from its own two windows' CPU.
import { formatRatio, summarizeRatios } from './paired-stats.mjs';
import { formatCount } from './report.mjs';

/**
 * Run `pairs` pairs of windows; `a()` and `b()` each load one cell for one window and resolve to
 * a run record (ok, problems, rps, perCpuS from the CPU its process used in that window). Even
 * pairs run A then B, odd pairs B then A, so a machine that speeds up or slows down during the
 * run favours neither side. A pair's ratio is B's req/CPU-s ÷ A's: two windows seconds apart
 * see nearly the same machine, which is what makes the ratio steadier than one of two medians
 * taken minutes apart. A failed window fails the result (it is never a fast window).
 */
export async function runPairs({ a, b, pairs, onPair = () => {} }) {
  const rows = [];
  const problems = new Set();
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? 'AB' : 'BA';
    const first = await (order === 'AB' ? a() : b());
    const second = await (order === 'AB' ? b() : a());
    const [ra, rb] = order === 'AB' ? [first, second] : [second, first];
    for (const p of [...ra.problems, ...rb.problems]) problems.add(p);
    const ratio = ra.ok && rb.ok && ra.perCpuS && rb.perCpuS ? rb.perCpuS / ra.perCpuS : null;
    const row = { order, a: ra.perCpuS, b: rb.perCpuS, aRps: ra.rps, bRps: rb.rps, aP99: ra.p99, bP99: rb.p99, ratio };
    rows.push(row);
    onPair(row, i);
  }
  return { ok: problems.size === 0, problems: [...problems], pairs: rows, ...summarizeRatios(rows.map((r) => r.ratio)) };
}

/**
 * One measured window: `warmS` seconds of the same load first, not measured, then `windowS`
 * seconds with the CPU of `pid` read around it. Without the warm-up a window that follows the
 * other side's window read about 12% less per CPU-second than one that follows its own (same
 * build on both sides, 1.5 s windows: pairs in the order A B read 0.91×, B A 1.14×), which
 * doubled the pairs' spread; with 0.5 s of warm-up the two orders read 1.03× and 1.01×.
 */
export async function loadWindow(load, target, { windowS, warmS, pid }) {
  if (warmS > 0) await load({ ...target, durationS: warmS });
  return load({ ...target, durationS: windowS, pid });
}

/** One line per pair for the progress log: "[3/10] BA  15.2k / 16.9k = 0.90×". */
export function pairLine(row, i, pairs) {
  const ratio = row.ratio === null ? 'failed' : `${row.ratio.toFixed(2)}×`;
  return `[${i + 1}/${pairs}] ${row.order}  ${formatCount(row.b)} / ${formatCount(row.a)} = ${ratio}`;
}

/**
 * The paired ratios of a bench run: for each { id, a: [system, scenario], b: [system, scenario] }
 * of `ratios` whose two cells ran ok, `pairs` pairs of windows through `runWindow(system,
 * scenario)` (a loadWindow). Returns { [id]: { a, b, ...runPairs result } }.
 */
export async function runRatioPairs({ ratios, cells, systems, scenarios, pairs, windowS, runWindow, log }) {
  const out = {};
  const sys = (id) => systems.find((s) => s.id === id && s.available);
  const sc = (id) => scenarios.find((s) => s.id === id);
  for (const r of ratios) {
    const sides = [r.a, r.b];
    if (!sides.every(([s, c]) => sys(s) && sc(c) && cells[s]?.[c]?.ok)) continue;
    const [a, b] = sides.map(
      ([s, c]) =>
        () =>
          runWindow(sys(s), sc(c)),
    );
    log(`paired ${r.id}: ${r.b.join(' ')} ÷ ${r.a.join(' ')}, ${pairs} pairs of ${windowS} s windows`);
    const result = await runPairs({ a, b, pairs, onPair: (row, i) => log(`  ${pairLine(row, i, pairs)}`) });
    log(`  → ${formatRatio(result)}${result.ok ? '' : ` FAILED: ${result.problems.join('; ')}`}`);
    out[r.id] = { a: r.a.join(' '), b: r.b.join(' '), ...result };
  }
  return out;
}

/** The markdown table of paired ratios, or null when there are none. */
export function renderPaired(paired, { pairs, windowS }) {
  const entries = Object.entries(paired);
  if (entries.length === 0) return null;
  const f = (x) => (x === null ? '–' : x.toFixed(2));
  return [
    `Paired ratios (req/CPU-s of B ÷ A; ${pairs} pairs of ${windowS} s windows, A and B in turn, the order alternating; the targets above judge from the median):`,
    '',
    '| ratio | B ÷ A | median | confidence interval of the median | IQR of the pairs | min – max |',
    '|---|---|---|---|---|---|',
    ...entries.map(([id, p]) => {
      const ci = p.n > 1 ? `${f(p.ciLo)} – ${f(p.ciHi)} (${Math.floor(p.coverage * 1000) / 10}%)` : '–';
      const median = p.ok ? `${f(p.median)}×` : `**FAILED**: ${p.problems.join('; ')}`;
      return `| ${id} | ${p.b} ÷ ${p.a} | ${median} | ${ci} | ${f(p.q1)} – ${f(p.q3)} | ${f(p.min)} – ${f(p.max)} |`;
    }),
  ].join('\n');
}
