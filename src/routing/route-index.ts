// Candidate index for the route table: buckets entries by a path-prefix or exact-host hash so match() scans few.

/** What the index needs to know about a sorted route entry. */
export interface IndexableEntry {
  /** Position in priority order (0 = highest). */
  readonly rank: number;
  /** Prefix path, or null for regex / path-less entries. */
  readonly prefix: string | null;
  /** Lower-case host names when every host of the route is exact (no wildcard); null otherwise. */
  readonly exactHosts: readonly string[] | null;
}

export interface RouteIndex<E extends IndexableEntry> {
  /** Number of leading path characters hashed for byPath; 0 when there is no path index. */
  readonly pathKeyLength: number;
  readonly byPath: ReadonlyMap<number, readonly E[]>;
  readonly byHost: ReadonlyMap<number, readonly E[]>;
  /** Entries in neither map: every request scans them. */
  readonly always: readonly E[];
}

/** Hash of the characters [start, end) of `s`; equal ranges give equal hashes. */
export function hashRange(s: string, start: number, end: number): number {
  let h = 0;
  for (let i = start; i < end; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * Picks the path key length that minimizes the expected number of entries a request scans
 * (entries left unindexed plus the mean squared bucket size), assuming requests spread evenly.
 */
function choosePathKeyLength(entries: readonly IndexableEntry[]): number {
  const lengths = new Set<number>();
  for (const e of entries) if (e.prefix !== null && e.prefix.length >= 2) lengths.add(e.prefix.length);
  let best = 0;
  let bestCost = entries.length;
  for (const k of lengths) {
    const buckets = new Map<number, number>();
    let unindexed = 0;
    let indexed = 0;
    for (const e of entries) {
      if (e.prefix === null || e.prefix.length < k) {
        unindexed++;
      } else {
        indexed++;
        const h = hashRange(e.prefix, 0, k);
        buckets.set(h, (buckets.get(h) ?? 0) + 1);
      }
    }
    let squares = 0;
    for (const n of buckets.values()) squares += n * n;
    const cost = unindexed + squares / indexed;
    if (cost < bestCost) {
      bestCost = cost;
      best = k;
    }
  }
  return best;
}

function addTo<E>(map: Map<number, E[]>, key: number, entry: E): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [entry]);
  else if (list[list.length - 1] !== entry) list.push(entry);
}

/** Builds the index from entries already sorted by rank; every bucket stays in rank order. */
export function buildRouteIndex<E extends IndexableEntry>(sorted: readonly E[]): RouteIndex<E> {
  const pathKeyLength = choosePathKeyLength(sorted);
  const byPath = new Map<number, E[]>();
  const byHost = new Map<number, E[]>();
  const always: E[] = [];
  for (const e of sorted) {
    if (pathKeyLength > 0 && e.prefix !== null && e.prefix.length >= pathKeyLength) {
      addTo(byPath, hashRange(e.prefix, 0, pathKeyLength), e);
    } else if (e.exactHosts !== null) {
      for (const host of e.exactHosts) addTo(byHost, hashRange(host, 0, host.length), e);
    } else {
      always.push(e);
    }
  }
  return { pathKeyLength, byPath, byHost, always };
}
