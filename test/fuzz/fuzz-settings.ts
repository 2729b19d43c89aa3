// Run counts and committed corpora for the fast-check fuzzers: a short run in `npm test`, a longer one in `npm run fuzz:ts`.
import { readFileSync } from 'node:fs';

/** FUZZ_RUNS overrides the per-property run count (npm run fuzz:ts sets it high). */
export const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Inputs that once mattered (edge cases, past failures), replayed before the random ones on every run. */
export function corpus<T>(name: string): T[] {
  return JSON.parse(readFileSync(new URL(`./corpus/${name}.json`, import.meta.url), 'utf8')) as T[];
}
