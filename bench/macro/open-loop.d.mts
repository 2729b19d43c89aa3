// Types for open-loop.mjs.
import type { RunResult } from './report.mjs';
export function parseResponse(buf: Buffer): { status: number; length: number } | null;
export function runOpenLoop(opts: {
  url: string;
  path: string;
  rate: number;
  durationS: number;
  connections?: number;
  pid?: number;
  expect?: number;
  drainMs?: number;
  /** Keep each answered request's due time and latency (ms, CLOCK_MONOTONIC) as `samples`. */
  keepSamples?: boolean;
}): Promise<
  RunResult & {
    sent: number;
    responses: number;
    maxQueued: number;
    sendLagP99: number | null;
    statuses: Record<string, number>;
    samples?: { due: Float64Array; latency: Float64Array };
  }
>;
