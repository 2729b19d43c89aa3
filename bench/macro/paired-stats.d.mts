// Types for paired-stats.mjs.
export interface RatioSummary {
  n: number;
  median: number | null;
  q1: number | null;
  q3: number | null;
  ciLo: number | null;
  ciHi: number | null;
  coverage: number;
  min: number | null;
  max: number | null;
}
export function quantile(sorted: number[], q: number): number | null;
export function medianInterval(sorted: number[], level?: number): { lo: number | null; hi: number | null; coverage: number };
export function summarizeRatios(ratios: number[]): RatioSummary;
export function formatRatio(s: RatioSummary | null | undefined): string;
export function intervalSide(s: RatioSummary, threshold: number): 'above' | 'below' | 'straddles';
