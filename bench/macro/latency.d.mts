// Types for latency.mjs.
import type { ForeignCpu } from './foreign-cpu.mjs';
import type { CellSummary } from './report.mjs';
export const LATENCY_SHARES: number[];
export const LATENCY_SYSTEMS: string[];
export interface LatencyRow {
  share: number;
  rate: number;
  /** Each system's cell, with how late the loader wrote its requests (p99 ms, median of the runs). */
  cells: Record<string, CellSummary & { sendLagP99?: number | null }>;
  /** CPU that processes the bench did not start took during the row's runs (absent in older results). */
  foreign?: ForeignSummary;
}
export interface ForeignSummary {
  /** Milliseconds of CPU per second of run, median of the row's runs (null when there were none). */
  msPerS: number | null;
  /** The thread name busiest in most of the row's runs, or null. */
  busiest: string | null;
  /** That thread's milliseconds per time slice, median of those runs (null without one). */
  msPerSlice: number | null;
}
export function summarizeForeign(list: ForeignCpu[]): ForeignSummary;
export interface Latency {
  maxRps: number;
  rows: LatencyRow[];
}
export function runLatencyRows(opts: {
  systems: Array<{ id: string; available: boolean; url?: string; pid?: number }>;
  maxRps: number;
  durationS: number;
  repeat: number;
  connections: number;
  log: (msg: string) => void;
  /** Trace the systems' CPU with perf during each run (sched-trace.mjs): its number and perf's data file. */
  traceSched?: { cpu: string | number; file: string } | null;
}): Promise<Latency>;
export function addedP99(row: LatencyRow, id?: string, baseline?: string): number | null;
export function renderLatencyRows(opts: { latency: Latency; systems: Array<{ id: string; label: string }> }): string;
