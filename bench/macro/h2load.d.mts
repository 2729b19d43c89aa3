// Types for h2load.mjs.
export const DEFAULT_STREAMS: number;
export interface H2Shape {
  connections: number;
  streams: number;
}
export function h2Shape(inFlight: number, streams: number): H2Shape;
export function h2ShapeText(shape: H2Shape): string;
export function h2loadMissing(): string | null;
export function parseH2load(text: string): {
  done: number | null;
  failed: number | null;
  errored: number | null;
  timeout: number | null;
  statusClasses: Record<string, number> | null;
  meanUs: number | null;
};
export const runH2load: typeof import('./load.mjs').runLoad;
