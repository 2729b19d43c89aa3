// Types for gc-trace.mjs.
export interface Quantiles {
  median: number;
  p90: number;
  max: number;
}
export interface IsolateGc {
  isolate: string;
  scavenges: number;
  pauseMs: Quantiles | null;
  survivedBytes: Quantiles | null;
  promotedBytes: Quantiles | null;
  copyMs: Quantiles | null;
  full: Array<{ atMs: number; kind: string; pauseMs: number }>;
}
export function parseGcLine(line: string): { isolate: string; atMs: number; fields: Record<string, string> } | null;
export function summarizeGcTrace(text: string, afterMs?: number): IsolateGc[];
