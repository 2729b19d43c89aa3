// The data-plane counters as metric-table.ts defines them, and their sum over workers (retired workers' totals kept).
import type { AuthReason } from '../auth/types.js';
import { AUTH_ALLOWED_SLOTS, AUTH_DENIED_SLOTS, SLOT_FAMILIES, type Combine, type CounterSlot } from './metric-table.js';

/** One worker's counters: a plain numeric field per slot, bumped in place on the request path. */
export type DataPlaneCounters = { [K in CounterSlot]: number };

/** Per-reason tallies of one data plane: index `2 * reason` allowed, `2 * reason + 1` denied. */
export function authTallies(): Float64Array {
  return new Float64Array(2 * AUTH_ALLOWED_SLOTS.length);
}

/** Copies the tallies into the counters' `auth_*` slots. */
export function copyAuthTallies(tallies: Float64Array, into: DataPlaneCounters): void {
  for (let r = 0; r < AUTH_ALLOWED_SLOTS.length; r++) {
    into[AUTH_ALLOWED_SLOTS[r]!] = tallies[2 * r]!;
    into[AUTH_DENIED_SLOTS[r]!] = tallies[2 * r + 1]!;
  }
}

/** Counts one decision: denied when the request was refused. */
export function tallyAuth(tallies: Float64Array, reason: AuthReason, denied: boolean): void {
  tallies[2 * reason + (denied ? 1 : 0)]!++;
}

/** Every slot with its family's combine rule, in table order. */
const SLOTS: ReadonlyArray<readonly [CounterSlot, Combine]> = SLOT_FAMILIES.flatMap((f) =>
  Object.keys(f.series).map((slot) => [slot as CounterSlot, f.combine] as const),
);

export function emptyCounters(): DataPlaneCounters {
  const c = {} as DataPlaneCounters;
  for (const [slot] of SLOTS) c[slot] = 0;
  return c;
}

/** Adds `from` into `into`; without gauges for a retired worker (its `live`/`max` slots describe a thread that is gone). */
function addCounters(into: DataPlaneCounters, from: DataPlaneCounters, includeGauges = true): void {
  for (const [slot, combine] of SLOTS) {
    if (combine === 'sum') into[slot] += from[slot];
    else if (!includeGauges) continue;
    else if (combine === 'max') into[slot] = Math.max(into[slot], from[slot]);
    else into[slot] += from[slot];
  }
}

export interface CounterAggregator {
  /** Records the latest counters a live worker reported. */
  update(workerId: number, counters: DataPlaneCounters): void;
  /** The worker ended: fold its last counters into the retired totals (gauges dropped). */
  retire(workerId: number): void;
  latest(workerId: number): DataPlaneCounters | undefined;
  /** Totals over live workers plus everything retired workers counted. */
  total(): DataPlaneCounters;
}

export function createCounterAggregator(): CounterAggregator {
  const live = new Map<number, DataPlaneCounters>();
  const retired = emptyCounters();
  return {
    update(workerId, counters) {
      live.set(workerId, counters);
    },
    retire(workerId) {
      const last = live.get(workerId);
      if (last) addCounters(retired, last, false);
      live.delete(workerId);
    },
    latest(workerId) {
      return live.get(workerId);
    },
    total() {
      const sum = emptyCounters();
      addCounters(sum, retired);
      for (const c of live.values()) addCounters(sum, c);
      return sum;
    },
  };
}
