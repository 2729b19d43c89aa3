// Types for load.mjs.
import type { Scenario } from './scenarios.mjs';
import type { RunResult } from './report.mjs';
export function percentile(sorted: ArrayLike<number>, q: number): number | null;
export function unexpectedStatuses(pairs: [string, number][]): string | null;
export function runRecord(opts: {
  problems: string[];
  responses: number;
  seconds: number;
  cpuS: number | null;
  sorted?: ArrayLike<number>;
  latency?: { p50: number | null; p99: number | null; p999: number | null };
  statuses: Record<string, number>;
  [extra: string]: unknown;
}): RunResult & { responses: number; statuses: Record<string, number> } & Record<string, unknown>;
export function requestOptions(scenario: Scenario, tokens?: string[], uploadBody?: Buffer, connections?: number): Record<string, any>;
export function runLoad(opts: {
  url: string;
  scenario: Scenario;
  tokens?: string[];
  uploadBody?: Buffer;
  durationS?: number;
  amount?: number;
  maxS?: number;
  connections: number;
  pid?: number;
  /** HTTP/2 streams per connection (h2load only; autocannon keeps one request per connection). */
  streams?: number;
}): Promise<RunResult & { responses: number; statuses: Record<string, number> }>;
