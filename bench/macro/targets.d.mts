// Types for targets.mjs.
import type { Cell } from './report.mjs';
import type { Latency } from './latency.mjs';
import type { IdleResult } from './idle.mjs';
export interface TargetResult {
  id: string;
  target: string;
  measured: string;
  pass: boolean | null;
}
export function evaluateTargets(opts: {
  cells: Record<string, Record<string, Cell | undefined> | undefined>;
  latency: Latency | null;
  idle: IdleResult | null;
  upstream: 'uws' | 'nginx';
}): TargetResult[];
export function renderTargets(targets: TargetResult[]): string;
