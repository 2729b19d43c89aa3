// Types for idle.mjs.
export interface IdleResult {
  seconds: number;
  cpuS: number;
  share: number;
  resolution: number;
}
export function measureIdle(opts: { pids: number[]; seconds: number; settleS?: number }): Promise<Record<number, IdleResult>>;
