// Types for preflight.mjs.
import type { Scenario } from './scenarios.mjs';
export function preflight(opts: { url: string; scenario: Scenario; tokens?: string[]; uploadBody?: Buffer }): Promise<string | null>;
