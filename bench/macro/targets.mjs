// Issue #16's targets, judged from one bench run: each with what was measured and pass / FAIL / not measured.
import { addedP99 } from './latency.mjs';
import { formatCount, formatMs } from './report.mjs';

const REFUSALS = ['bad-sig', 'no-token', 'no-route'];
const pct = (share) => `${(share * 100).toFixed(2)}%`;

/**
 * `cells` as renderTable takes them, `latency` from runLatencyRows (or null), `idle` the
 * gateway's measureIdle result (or null), `upstream` 'uws' or 'nginx'. Returns
 * [{ id, target, measured, pass }] where pass is true, false, or null when not measured.
 */
export function evaluateTargets({ cells, latency, idle, upstream }) {
  const gw = cells.portcullis ?? {};
  const ok = (id) => (gw[id]?.ok ? gw[id] : null);
  const out = [];
  const add = (id, target, measured, pass) =>
    out.push({ id, target, measured: measured || 'not measured', pass: measured ? Boolean(pass) : null });

  const pass = ok('passthrough');
  const upstreamNote = upstream === 'nginx' ? '' : ' (this run: uWS upstream, not nginx)';
  add(
    'passthrough',
    'passthrough ≥ 40k req/CPU-s against nginx',
    pass && `${formatCount(pass.perCpuS)}/CPU-s${upstreamNote}`,
    pass?.perCpuS >= 40_000,
  );

  const hs = ok('hs256-one');
  const hsRatio = pass && hs ? hs.perCpuS / pass.perCpuS : null;
  add(
    'hs256-one',
    'HS256 one token ≥ 0.93× passthrough',
    hsRatio !== null && `${hsRatio.toFixed(2)}× (${formatCount(hs.perCpuS)}/CPU-s)`,
    hsRatio >= 0.93,
  );

  const refusals = REFUSALS.map((id) => ({ id, cell: ok(id) }));
  const seen = refusals.filter((r) => r.cell);
  add(
    'refusals',
    'refusals (bad signature, no token, no route) ≥ 100k req/CPU-s each',
    seen.length > 0 &&
      `${seen.map((r) => `${r.id} ${formatCount(r.cell.perCpuS)}`).join(', ')}${seen.length < REFUSALS.length ? ' (not all measured)' : ''}`,
    seen.length === REFUSALS.length && seen.every((r) => r.cell.perCpuS >= 100_000),
  );

  const big = ok('resp-64k');
  add('resp-64k', '64 KiB response ≥ 15k req/CPU-s', big && `${formatCount(big.perCpuS)}/CPU-s`, big?.perCpuS >= 15_000);

  const half = latency?.rows.find((r) => r.share === 0.5);
  const added = half ? addedP99(half) : null;
  add(
    'p99-added',
    'p99 added by the gateway ≤ 1 ms at 50% of its maximum',
    added !== null && `${formatMs(added)} at ${formatCount(half.rate)} req/s`,
    added <= 1,
  );

  add(
    'idle',
    'idle cost < 0.5% of a core',
    idle && `${pct(idle.share)} over ${idle.seconds.toFixed(0)} s (±${pct(idle.resolution)})`,
    idle?.share < 0.005,
  );
  return out;
}

/** The markdown table of targets. */
export function renderTargets(targets) {
  const verdict = (p) => (p === null ? 'not measured' : p ? 'pass' : '**FAIL**');
  return [
    '| #16 target | measured | verdict |',
    '|---|---|---|',
    ...targets.map((t) => `| ${t.target} | ${t.measured} | ${verdict(t.pass)} |`),
  ].join('\n');
}
