// Statistics of paired ratios: the median of per-pair ratios, its quartiles and a distribution-free confidence interval.
import { median } from './report.mjs';

/** Quantile q (0..1) of an ascending-sorted array, linearly interpolated between ranks (R's type 7). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialCdfHalf(n, k) {
  let term = 0.5 ** n; // P(X = 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * The confidence interval of the median from order statistics (the sign test's interval): with n
 * values sorted, [x(k), x(n+1−k)] covers the true median with probability 1 − 2·P(X < k),
 * X ~ Binomial(n, 1/2), whatever the distribution. k is the largest that keeps the coverage at
 * `level` or above; below 6 values no k reaches 95%, so the interval is [min, max] and `coverage`
 * says what it really is (93.75% for 5 values, 75% for 3). Returns { lo, hi, coverage }.
 */
export function medianInterval(sorted, level = 0.95) {
  const n = sorted.length;
  if (n === 0) return { lo: null, hi: null, coverage: 0 };
  let k = 1;
  while (k + 1 <= (n + 1) / 2 && 1 - 2 * binomialCdfHalf(n, k) >= level) k++;
  return { lo: sorted[k - 1], hi: sorted[n - k], coverage: 1 - 2 * binomialCdfHalf(n, k - 1) };
}

/**
 * Summary of paired ratios (each B ÷ A of one pair of adjacent windows): their median, the
 * interquartile range (how far the pairs spread) and the median's confidence interval (how far
 * the median itself could be off). Non-finite ratios are dropped. Medians and order statistics
 * do not change under 1/x, so A ÷ B reads as the same figures inverted.
 */
export function summarizeRatios(ratios) {
  const sorted = ratios.filter((r) => typeof r === 'number' && Number.isFinite(r) && r > 0).sort((a, b) => a - b);
  const ci = medianInterval(sorted);
  return {
    n: sorted.length,
    median: median(sorted),
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    ciLo: ci.lo,
    ciHi: ci.hi,
    coverage: ci.coverage,
    min: sorted[0] ?? null,
    max: sorted[sorted.length - 1] ?? null,
  };
}

/** "0.91× (95% CI 0.88–0.94, IQR 0.89–0.93, 10 pairs)", or "–" without pairs. */
export function formatRatio(s) {
  if (!s?.n) return '–';
  const f = (x) => x.toFixed(2);
  // Floor the coverage so that 97.9% never reads as 98%.
  const cov = Math.floor(s.coverage * 1000) / 10;
  const ci = s.n > 1 ? `${cov}% CI ${f(s.ciLo)}–${f(s.ciHi)}, IQR ${f(s.q1)}–${f(s.q3)}, ` : '';
  return `${f(s.median)}× (${ci}${s.n} pair${s.n === 1 ? '' : 's'})`;
}

/** Where a summary's interval lies against a threshold: wholly 'above' it (≥), wholly 'below' it, or it 'straddles' it. */
export function intervalSide(s, threshold) {
  if (s.ciLo >= threshold) return 'above';
  if (s.ciHi < threshold) return 'below';
  return 'straddles';
}
