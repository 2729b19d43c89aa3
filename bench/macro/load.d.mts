// Types for load.mjs.
import type { Scenario } from './scenarios.mjs';
import type { RunResult } from './report.mjs';
export function percentile(sorted: ArrayLike<number>, q: number): number | null;
export function requestOptions(scenario: Scenario, tokens?: string[], uploadBody?: Buffer): Record<string, any>;
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
