// Types for cpu.mjs.
export function parseStatTicks(text: string): number;
export function clkTck(): number;
export function cpuSeconds(pid: number): number | null;
export function parseCpuList(text: string): number[];
export function allowedCpus(): number[];
export interface CpuPlan {
  pinned: boolean;
  why: string;
  load: string | null;
  sut: string | null;
  upstream: string | null;
}
export function planCpus(cpus: number[], opts: { hasTaskset: boolean; disabled?: boolean }): CpuPlan;
export function hasTaskset(): boolean;
