// Types for ab.mjs.
import type { Scenario } from './scenarios.mjs';
import type { PairedResult } from './paired.mjs';
export const AB_SCENARIOS: string;
export interface AbSide {
  spec: string;
  cmd: string;
  accessLog: boolean;
}
export type AbResult = { scenario: string; na?: string; ok?: boolean; problems?: string[] } & Partial<PairedResult>;
export function parseSide(spec: string, gatewayCmd: string, cwd?: string): AbSide;
export function runAb(opts: {
  sides: AbSide[];
  scenarios: Scenario[];
  plan: any;
  upstream: 'uws' | 'nginx';
  /** What drives the closed-loop windows (wrk.mjs's http1Load); default autocannon. */
  loader?: 'wrk' | 'autocannon';
  workDir: string;
  pairs: number;
  windowS: number;
  warmS: number;
  connections: number;
  quick?: boolean;
  /** Open-loop windows at this many requests/s instead of the closed loop. */
  rate?: number | null;
  log: (msg: string) => void;
}): Promise<{ sides: string[]; rate?: number | null; results: AbResult[] }>;
export function abReading(r: AbResult): string;
export function renderAb(opts: { sides: string[]; results: AbResult[]; pairs: number; windowS: number; rate?: number | null }): string;
export function abMode(opts: Record<string, any>, log: (msg: string) => void): Promise<number>;
