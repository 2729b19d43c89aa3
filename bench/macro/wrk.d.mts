// Types for wrk.mjs.
export function wrkMissing(): string | null;
export function wrkScript(opts: { method: string; tokensFile: string | null; bodyFile: string | null; contentType: string | null }): string;
export function parseWrk(text: string): {
  requests: number;
  durationUs: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  p50: number;
  p99: number;
  p999: number;
} | null;
export const runWrk: typeof import('./load.mjs').runLoad;
export function http1Load(loader: string): typeof import('./load.mjs').runLoad;
