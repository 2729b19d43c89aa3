// Types for targets.mjs.
import type { Cell } from './report.mjs';
import type { Latency } from './latency.mjs';
import type { IdleResult } from './idle.mjs';
import type { RatioSummary } from './paired-stats.mjs';
export interface TargetResult {
  id: string;
  target: string;
  measured: string;
  pass: boolean | null;
  straddles: boolean;
}
export interface RatioPair {
  id: string;
  a: [string, string];
  b: [string, string];
}
export const RATIO_PAIRS: RatioPair[];
export type PairedResults = Record<string, RatioSummary & { ok: boolean; problems: string[] }>;
export function evaluateTargets(opts: {
  cells: Record<string, Record<string, Cell | undefined> | undefined>;
  latency: Latency | null;
  idle: IdleResult | null;
  upstream: 'uws' | 'nginx';
  paired?: PairedResults | null;
}): TargetResult[];
export function renderTargets(targets: TargetResult[]): string;
