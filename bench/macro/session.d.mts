// Types for session.mjs.
import type { CpuPlan } from './cpu.mjs';
export const REPO: string;
export const LOADERS: readonly ('wrk' | 'autocannon')[];
export function setUp(
  opts: { pin: boolean; upstream: string; loader: string },
  log: (msg: string) => void,
): Promise<{ plan: CpuPlan; pinning: string; workDir: string; upstream: 'uws' | 'nginx'; loader: 'wrk' | 'autocannon' }>;
export function runMeta(opts: Record<string, any>, run: { pinning: string; upstream: string; loader: string }): Record<string, any>;
export function writeResults(
  opts: { write: boolean },
  meta: Record<string, any>,
  suffix: string,
  json: unknown,
  md: string,
  log: (msg: string) => void,
): void;
