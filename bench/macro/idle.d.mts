// Types for idle.mjs.
export interface IdleResult {
  seconds: number;
  cpuS: number;
  share: number;
  resolution: number;
}
export const IDLE_SETTLE_S: number;
export function measureIdle(opts: { pids: number[]; seconds: number; settleS?: number }): Promise<Record<number, IdleResult>>;
