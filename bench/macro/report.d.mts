// Types for report.mjs.
export interface RunResult {
  ok: boolean;
  problems: string[];
  responses?: number;
  seconds?: number;
  rps?: number;
  cpuS?: number | null;
  perCpuS?: number | null;
  p50?: number | null;
  p99?: number | null;
  p999?: number | null;
  statuses?: Record<string, number>;
}
export interface CellSummary {
  ok: boolean;
  problems: string[];
  repeats: number;
  rps: number | null;
  perCpuS: number | null;
  p50: number | null;
  p99: number | null;
  p999: number | null;
}
export type Cell = CellSummary | { na: string } | { ok: false; problems: string[] };
export interface TableInput {
  systems: Array<{ id: string; label: string; available: boolean; reason?: string }>;
  scenarios: Array<{ id: string; title: string }>;
  cells: Record<string, Record<string, Cell | undefined> | undefined>;
}
export function median(values: Array<number | null | undefined>): number | null;
export function summarizeCell(runs: RunResult[]): CellSummary;
export function formatCount(n: number | null | undefined): string;
export function formatMs(ms: number | null | undefined): string;
export function renderTable(input: TableInput): string;
export function renderLatencyTable(input: TableInput): string;
export function renderMarkdown(input: TableInput & { meta: Record<string, any>; before?: string[]; after?: string[] }): string;
