// The V8 collector settings every worker isolate is created with: one-thread scavenges, and gateway.gc_semi_space_mb (default 16 MiB).
import v8 from 'node:v8';

export interface GcSettings {
  /** The V8 flags applied, in order (empty when the command line already decided both). */
  flags: string[];
}

/** Whether `node`'s own command line or NODE_OPTIONS already names this V8 flag (then the operator's value stands). */
function givenByOperator(name: string): boolean {
  const fromOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/);
  return [...process.execArgv, ...fromOptions].some((arg) => arg.replace(/_/g, '-').includes(name));
}

/**
 * Sets the V8 flags the worker isolates read when they are created, so it must run before the first worker starts
 * (flags are process-wide; the main thread's heap already exists and keeps its sizes).
 *
 * - `--no-parallel-scavenge`: a young-generation collection (a "scavenge", every few MB of allocation: about 9 KiB
 *   per proxied request) otherwise hands its work to V8's helper threads and waits for them. With `workers: auto`
 *   every core already runs a worker, and on a pinned or shared core the helpers wait in the run queue behind it:
 *   measured on a shared 2-CPU machine, the median scavenge pause was 3.7–5.5 ms with the helpers and 0.8–2.3 ms
 *   without.
 *   Concurrent marking and sweeping of the old generation stay on.
 * - `semiSpaceMb` > 0 (default 16): the young generation's semi-space, fixed (`--min-semi-space-size` and
 *   `--max-semi-space-size`). V8's own sizing starts at 1 MiB and grows only when much of the young generation
 *   survives; a proxied request's garbage (about 9 KiB) almost all dies young, so it stayed at a few MiB and
 *   scavenged every 400–800 requests (42–57 per 21,000 in the open-loop rows), and most of the gateway's slowest 1%
 *   of requests overlapped one. Fixed at 16 MiB (V8's own ceiling on 64-bit): 14 per 21,000, none under the slowest
 *   1%, for 2 × semiSpaceMb MiB per worker once used. 0 keeps V8's own sizing; a semi-space size on node's command
 *   line (or NODE_OPTIONS) stands instead of ours.
 */
export function applyGcSettings(semiSpaceMb: number): GcSettings {
  // A flag of ours stands back when the operator's command line already set its kind.
  const operatorKind = (flag: string): string => (flag.includes('semi-space') ? 'semi-space-size' : 'parallel-scavenge');
  const flags = workerGcFlags(semiSpaceMb).filter((flag) => !givenByOperator(operatorKind(flag)));
  for (const flag of flags) v8.setFlagsFromString(flag);
  return { flags };
}

/** The flags applyGcSettings sets when the command line decided neither (the bench starts its floors with them). */
export function workerGcFlags(semiSpaceMb: number): string[] {
  const flags = ['--no-parallel-scavenge'];
  if (semiSpaceMb > 0) flags.push(`--min-semi-space-size=${semiSpaceMb}`, `--max-semi-space-size=${semiSpaceMb}`);
  return flags;
}
