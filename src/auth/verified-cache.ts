// The verified-token cache: token string → what signature verification established, bounded, CLOCK eviction.
//
// Keyed by the exact token string: two different tokens can never share an entry. fast-jwt's advisory
// GHSA-rp9m-7r4c-75qg is the cautionary tale — its cache key was derived from part of the token, so a forged
// token could hit the entry of a genuine one. Only tokens the jwt stage allowed are stored; each entry
// remembers the plugin profile (key_claim_name, secret_is_base64) it was verified under and the raw exp/nbf
// claims, so a hit still re-checks the time claims against the current clock and the route's config.
//
// Speed: hashing a fresh 300+ character token string costs ~0.5 µs in V8, so the index is keyed by a small integer
// hashed from the token's last INDEX_TAIL characters (signature bytes: no slice, no string hashing), and the entry
// holds the whole token, compared with `===` on every hit. The hash only picks a chain of entries; equality of the
// full string decides. The index is a power-of-two array of chain heads picked by the hash's low bits (one load,
// where a Map probe reads its bucket and then its entry: with thousands of tokens both are usually cache misses),
// doubled whenever the entries outnumber its slots, so chains stay about one entry long; an entry keeps its full
// hash, compared before the token. An entry is one object (token, bookkeeping and what the caller stored), so a hit
// touches few cache lines.

/** What a hit returns. `value` is what the caller wants back (the authenticator stores its allow decision). */
export interface VerifiedEntry<V> {
  readonly value: V;
  readonly keyClaimName: string;
  readonly secretIsBase64: boolean;
  readonly exp: unknown;
  readonly nbf: unknown;
  /** Bytes the entry holds besides the token (e.g. parsed claims), counted against maxBytes. */
  readonly extraBytes?: number;
  /**
   * The caller's note of the claim policy this token last passed (the authenticator's plugin state): claims never
   * change, so a hit under the same policy re-checks only what depends on the clock.
   */
  passedPolicy?: object;
}

export interface VerifiedCacheStats {
  hits: number;
  misses: number;
  evictions: number;
  entries: number;
  bytes: number;
}

export interface VerifiedCacheOptions {
  maxEntries: number;
  maxBytes: number;
  maxTokenBytes: number;
}

export interface VerifiedCache<V> {
  /** A hit only when this exact token was verified under the same profile. */
  get(token: string, keyClaimName: string, secretIsBase64: boolean): VerifiedEntry<V> | undefined;
  /** Stores a verified token (pass it through storedToken() first); false when it is too long to cache. */
  set(token: string, entry: VerifiedEntry<V>): boolean;
  stats(): VerifiedCacheStats;
  clear(): void;
}

/**
 * Heap bytes per entry besides the token characters: the string header, the index slot, the entry and decision
 * objects, the ring slot and the index's spare capacity. Measured with bench/micro/token-cache-memory.mjs
 * (node --expose-gc): a 239-character token costs 512 heap bytes in all.
 */
export const ENTRY_OVERHEAD_BYTES = 300;
/**
 * RSS per heap byte of cache: entries live long and churn, and V8 lets the old generation grow to about twice its
 * live size between full collections. Measured in the 10-minute soak: full caches added about 1.2 KiB of RSS per
 * 240-character entry, i.e. 2.3x its heap cost. Counting twice the heap cost keeps RSS within 1.5x of max_bytes.
 */
export const GC_HEADROOM = 2;

/** What an entry counts against max_bytes. */
export function entryBytes(tokenLength: number): number {
  return GC_HEADROOM * (tokenLength + ENTRY_OVERHEAD_BYTES);
}

/** How many trailing characters of the token index the slot (96 bits of signature for base64url). */
export const INDEX_TAIL = 16;

/**
 * A flat copy of a token about to be stored (and referenced by the stored value): the caller's is usually a slice
 * of the Authorization (or Cookie) header value, and V8 keeps the whole parent string alive behind a slice, so
 * the cache would hold header bytes it never counted. Paid once per stored token, after a signature
 * verification that costs far more. Stored tokens passed verification, so they are base64url ASCII and latin1
 * round-trips them exactly.
 */
export function storedToken(token: string): string {
  return Buffer.from(token, 'latin1').toString('latin1');
}

/** The index's starting size (a power of two); it doubles as entries are added and returns to this on clear(). */
const MIN_HEADS = 1024;

/** The index key: a 30-bit hash (a Smi) of the token's last INDEX_TAIL characters. */
function tailHash(token: string): number {
  let h = 0;
  for (let i = token.length > INDEX_TAIL ? token.length - INDEX_TAIL : 0; i < token.length; i++) {
    h = (Math.imul(h, 31) + token.charCodeAt(i)) | 0;
  }
  return h & 0x3fffffff;
}

/** One cached token: the caller's entry fields and the cache's bookkeeping in one object. */
class Slot<V> implements VerifiedEntry<V> {
  readonly value: V;
  readonly keyClaimName: string;
  readonly secretIsBase64: boolean;
  readonly exp: unknown;
  readonly nbf: unknown;
  passedPolicy: object | undefined;
  /** CLOCK's reference bit. */
  referenced = false;
  /** The next entry whose token has the same hash. */
  next: Slot<V> | undefined = undefined;
  constructor(
    readonly token: string,
    readonly hash: number,
    /** Position in the CLOCK ring. */
    readonly position: number,
    /** What the entry counts against maxBytes. */
    readonly size: number,
    entry: VerifiedEntry<V>,
  ) {
    this.value = entry.value;
    this.keyClaimName = entry.keyClaimName;
    this.secretIsBase64 = entry.secretIsBase64;
    this.exp = entry.exp;
    this.nbf = entry.nbf;
    this.passedPolicy = entry.passedPolicy;
  }
}

export function createVerifiedCache<V>(options: VerifiedCacheOptions): VerifiedCache<V> {
  const maxEntries = Math.max(0, Math.floor(options.maxEntries));
  const maxBytes = Math.max(0, options.maxBytes);
  const maxTokenLength = options.maxTokenBytes;

  // Chain heads by `hash & mask` (mask = heads.length - 1, kept so a lookup is one AND); grows with the entries.
  let heads: Array<Slot<V> | undefined> = [];
  let mask = 0;
  emptyIndex(MIN_HEADS);
  // The CLOCK ring grows up to maxEntries; a position is reused after eviction (no per-hit allocation).
  const ring: Array<Slot<V> | undefined> = [];
  const free: number[] = [];
  let count = 0;
  let hand = 0;
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let evictions = 0;

  /** The entry for exactly `token` (whose hash is `hash`), or undefined. */
  function find(token: string, hash: number): Slot<V> | undefined {
    let slot = heads[hash & mask];
    while (slot !== undefined && (slot.hash !== hash || slot.token !== token)) slot = slot.next;
    return slot;
  }

  /** An index of `size` (a power of two) empty chains. */
  function emptyIndex(size: number): void {
    heads = new Array<Slot<V> | undefined>(size).fill(undefined);
    mask = size - 1;
  }

  /** Doubles the index and re-chains every entry (the ring lists them all): amortised, never on a hit. */
  function grow(): void {
    emptyIndex(heads.length * 2);
    for (const slot of ring) {
      if (slot === undefined) continue;
      slot.next = heads[slot.hash & mask];
      heads[slot.hash & mask] = slot;
    }
  }

  /** Takes `slot` out of its chain and the ring. */
  function unlink(slot: Slot<V>): void {
    const head = heads[slot.hash & mask]!;
    if (head === slot) heads[slot.hash & mask] = slot.next;
    else {
      let prev = head;
      while (prev.next !== slot) prev = prev.next!;
      prev.next = slot.next;
    }
    bytes -= slot.size;
    ring[slot.position] = undefined;
    free.push(slot.position);
    count--;
  }

  /** CLOCK: sweep, clearing reference bits, until an unreferenced live entry is found and evicted. */
  function evictOne(keep: Slot<V> | null = null): void {
    const n = ring.length;
    for (let steps = 0; steps < 2 * n + 1; steps++) {
      if (hand >= n) hand = 0;
      const slot = ring[hand++];
      if (slot === undefined || slot === keep) continue;
      if (slot.referenced) {
        slot.referenced = false;
        continue;
      }
      unlink(slot);
      evictions++;
      return;
    }
  }

  return {
    get(token, keyClaimName, secretIsBase64) {
      const slot = find(token, tailHash(token));
      if (slot === undefined || slot.keyClaimName !== keyClaimName || slot.secretIsBase64 !== secretIsBase64) {
        misses++;
        return undefined;
      }
      slot.referenced = true;
      hits++;
      return slot;
    },

    set(token, entry) {
      if (maxEntries === 0 || token.length > maxTokenLength) return false;
      const size = entryBytes(token.length + (entry.extraBytes ?? 0));
      if (size > maxBytes) return false;
      const hash = tailHash(token);
      const same = find(token, hash);
      // The same token again (e.g. under another profile): the new entry takes its place.
      if (same !== undefined) unlink(same);
      while (count > 0 && (count >= maxEntries || bytes + size > maxBytes)) evictOne();
      const position = free.length > 0 ? free.pop()! : ring.push(undefined) - 1;
      const slot = new Slot(token, hash, position, size, entry);
      slot.next = heads[hash & mask];
      heads[hash & mask] = slot;
      ring[position] = slot;
      bytes += size;
      if (++count > heads.length) grow();
      return true;
    },

    stats() {
      return { hits, misses, evictions, entries: count, bytes };
    },

    clear() {
      emptyIndex(MIN_HEADS);
      ring.length = 0;
      count = 0;
      free.length = 0;
      hand = 0;
      bytes = 0;
    },
  };
}
