// Types for sched-trace.mjs.
export const MIN_RUN_MS: number;
export const DRAIN_MS: number;
export interface SwitchEvent {
  /** CLOCK_MONOTONIC milliseconds. */
  atMs: number;
  nextPid: number;
  nextComm: string;
}
export interface ForeignRun {
  startMs: number;
  endMs: number;
  name: string;
}
export interface TailAttribution {
  runs: number;
  runMs: number;
  byName: Record<string, number>;
  p99: number | null;
  slow: number;
  slowDuringRuns: number;
  p99Without: number | null;
}
export function startSchedTrace(opts: {
  cpu: string | number;
  file: string;
}): Promise<{ stop(): Promise<SwitchEvent[]> } | { problem: string }>;
export function parseSwitches(text: string): SwitchEvent[];
export function foreignRuns(events: SwitchEvent[], isForeign: (tid: number) => boolean, minMs?: number): ForeignRun[];
export function attributeTail(
  samples: { due: ArrayLike<number>; latency: ArrayLike<number> },
  runs: ForeignRun[],
  drainMs?: number,
): TailAttribution;
export function schedText(a: TailAttribution, cpu: string | number): string;
