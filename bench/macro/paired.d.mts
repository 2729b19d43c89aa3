// Types for paired.mjs.
import type { RunResult } from './report.mjs';
import type { RatioSummary } from './paired-stats.mjs';
import type { Scenario } from './scenarios.mjs';
export interface PairRow {
  order: 'AB' | 'BA';
  a: number | null;
  b: number | null;
  aRps: number | null;
  bRps: number | null;
  /** Each window's p99 latency, ms. */
  aP99: number | null;
  bP99: number | null;
  ratio: number | null;
}
export type PairedResult = RatioSummary & { ok: boolean; problems: string[]; pairs: PairRow[] };
export function runPairs(opts: {
  a: () => Promise<RunResult>;
  b: () => Promise<RunResult>;
  pairs: number;
  onPair?: (row: PairRow, i: number) => void;
}): Promise<PairedResult>;
export function loadWindow<T>(
  load: (opts: T & { durationS: number; pid?: number }) => Promise<RunResult>,
  target: T,
  opts: { windowS: number; warmS: number; pid?: number },
): Promise<RunResult>;
export function pairLine(row: PairRow, i: number, pairs: number): string;
export function runRatioPairs(opts: {
  ratios: { id: string; a: [string, string]; b: [string, string] }[];
  cells: Record<string, Record<string, any>>;
  systems: any[];
  scenarios: Scenario[];
  pairs: number;
  windowS: number;
  runWindow: (system: any, scenario: Scenario) => Promise<RunResult>;
  log: (msg: string) => void;
}): Promise<Record<string, PairedResult & { a: string; b: string }>>;
export function renderPaired(
  paired: Record<string, PairedResult & { a: string; b: string }>,
  opts: { pairs: number; windowS: number },
): string | null;
