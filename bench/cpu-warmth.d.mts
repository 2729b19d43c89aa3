// Types for cpu-warmth.mjs.
export interface WarmthRow {
  /** The working set, bytes (a power of two). */
  bytes: number;
  /** Median µs of a chunk, one per sleep. */
  us: number[];
}
export function chunkUs(bytes: number, sleepUs: number, steps: number, reps: number): number;
export function measureWarmth(opts: { sizesKiB: number[]; sleepsUs: number[]; steps?: number; reps?: number }): WarmthRow[];
export function renderWarmth(rows: WarmthRow[], sleepsUs: number[]): string;
