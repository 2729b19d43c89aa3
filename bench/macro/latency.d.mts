// Types for latency.mjs.
import type { ForeignCpu } from './foreign-cpu.mjs';
import type { CellSummary } from './report.mjs';
import type { TailAttribution } from './sched-trace.mjs';
export const LATENCY_SHARES: number[];
export const LATENCY_SYSTEMS: string[];
export interface LatencyRow {
  share: number;
  rate: number;
  /**
   * Each system's cell, with how late the loader wrote its requests (p99 ms, median of the runs) and, with
   * --trace-sched, what its runs' traces say.
   */
  cells: Record<string, CellSummary & { sendLagP99?: number | null; sched?: SchedSummary }>;
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
/** A cell's traced runs (summarizeSched): medians over them. */
export interface SchedSummary {
  /** Runs traced. */
  traced: number;
  /** Milliseconds other processes' runs of MIN_RUN_MS or more held the systems' CPU. */
  foreignMs: number;
  /** Share of the requests over the p99 that waited through such a run (null when no run had any over it). */
  slowShare: number | null;
  /** p99 of the requests that met no such run (ms). */
  p99Without: number | null;
}
export function summarizeSched(list: TailAttribution[]): SchedSummary;
export function addedP99Without(row: LatencyRow, id?: string, baseline?: string): number | null;
export function renderSchedRows(opts: { latency: Latency; systems: Array<{ id: string; label: string }> }): string | null;
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
