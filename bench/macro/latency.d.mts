// Types for latency.mjs.
import type { CellSummary } from './report.mjs';
export const LATENCY_SHARES: number[];
export const LATENCY_SYSTEMS: string[];
export interface LatencyRow {
  share: number;
  rate: number;
  /** Each system's cell, with how late the loader wrote its requests (p99 ms, median of the runs). */
  cells: Record<string, CellSummary & { sendLagP99?: number | null }>;
}
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
}): Promise<Latency>;
export function addedP99(row: LatencyRow, id?: string, baseline?: string): number | null;
export function renderLatencyRows(opts: { latency: Latency; systems: Array<{ id: string; label: string }> }): string;
