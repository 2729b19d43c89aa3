// Types for foreign-cpu.mjs.
export interface ForeignTask {
  name: string;
  ns: number;
  slices: number;
}
export interface ForeignCpu {
  /** Milliseconds of CPU the foreign threads ran per second of the run. */
  msPerS: number;
  /** The busiest thread name (threads of one name summed), its milliseconds over the run and its time slices (≥ 1). */
  busiest: { name: string; ms: number; slices: number } | null;
}
export function foreignTasks(root?: number): Map<string, ForeignTask>;
export function foreignByName(
  before: Map<string, ForeignTask>,
  after: Map<string, ForeignTask>,
): Map<string, { ns: number; slices: number }>;
export function foreignCpu(before: Map<string, ForeignTask>, after: Map<string, ForeignTask>, seconds: number): ForeignCpu;
