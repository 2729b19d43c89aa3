// The verified-token cache: token string → what signature verification established, bounded, CLOCK eviction.
//
// Keyed by the exact token string: two different tokens can never share an entry. fast-jwt's advisory
// GHSA-rp9m-7r4c-75qg is the cautionary tale — its cache key was derived from part of the token, so a forged
// token could hit the entry of a genuine one. Only tokens the jwt stage allowed are stored; each entry
// remembers the plugin profile (key_claim_name, secret_is_base64) it was verified under and the raw exp/nbf
// claims, so a hit still re-checks the time claims against the current clock and the route's config.
//
// Speed: hashing a fresh 300+ character token string costs ~0.5 µs in V8, so the Map is indexed by the token's
// last INDEX_TAIL characters (signature bytes) and the slot holds the whole token, compared with `===` on every
// hit. The tail only picks the slot; equality of the full string decides. A tail collision between two tokens
// is a miss (and a replacement on store), never a shared entry.

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
 * Heap bytes per entry besides the token characters: the string header, the index slot and its tail string, the
 * entry and decision objects, the slot arrays and the Map's spare capacity. Measured with
 * bench/micro/token-cache-memory.mjs (node --expose-gc): a 239-character token costs 500 heap bytes in all.
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

function tailOf(token: string): string {
  return token.length <= INDEX_TAIL ? token : token.slice(token.length - INDEX_TAIL);
}

export function createVerifiedCache<V>(options: VerifiedCacheOptions): VerifiedCache<V> {
  const maxEntries = Math.max(0, Math.floor(options.maxEntries));
  const maxBytes = Math.max(0, options.maxBytes);
  const maxTokenLength = options.maxTokenBytes;

  const index = new Map<string, number>();
  // Slot arrays grow up to maxEntries; a slot is reused in place after eviction (no per-hit allocation).
  const tokens: Array<string | undefined> = [];
  const tails: string[] = [];
  const entries: Array<VerifiedEntry<V> | undefined> = [];
  const sizes: number[] = [];
  const referenced: number[] = [];
  const free: number[] = [];
  let hand = 0;
  let bytes = 0;
  let hits = 0;
  let misses = 0;
  let evictions = 0;

  function evictSlot(slot: number): void {
    index.delete(tails[slot]!);
    bytes -= sizes[slot]!;
    tokens[slot] = undefined;
    entries[slot] = undefined;
    sizes[slot] = 0;
    referenced[slot] = 0;
    free.push(slot);
    evictions++;
  }

  /** CLOCK: sweep, clearing reference bits, until an unreferenced live slot is found and evicted. */
  function evictOne(keep = -1): void {
    const n = tokens.length;
    for (let steps = 0; steps < 2 * n + 1; steps++) {
      if (hand >= n) hand = 0;
      const slot = hand++;
      if (tokens[slot] === undefined || slot === keep) continue;
      if (referenced[slot] === 1) {
        referenced[slot] = 0;
        continue;
      }
      evictSlot(slot);
      return;
    }
  }

  return {
    get(token, keyClaimName, secretIsBase64) {
      const slot = index.get(tailOf(token));
      if (slot === undefined || tokens[slot] !== token) {
        misses++;
        return undefined;
      }
      const entry = entries[slot]!;
      if (entry.keyClaimName !== keyClaimName || entry.secretIsBase64 !== secretIsBase64) {
        misses++;
        return undefined;
      }
      referenced[slot] = 1;
      hits++;
      return entry;
    },

    set(token, entry) {
      if (maxEntries === 0 || token.length > maxTokenLength) return false;
      const size = entryBytes(token.length + (entry.extraBytes ?? 0));
      if (size > maxBytes) return false;
      const tail = tailOf(token);
      const existing = index.get(tail);
      if (existing !== undefined) {
        // The same token again, or another token with the same tail: the slot now holds this one.
        bytes += size - sizes[existing]!;
        tokens[existing] = token;
        entries[existing] = entry;
        sizes[existing] = size;
        referenced[existing] = 1;
        while (bytes > maxBytes && index.size > 1) evictOne(existing);
        return true;
      }
      while (index.size > 0 && (index.size >= maxEntries || bytes + size > maxBytes)) evictOne();
      let slot: number;
      if (free.length > 0) slot = free.pop()!;
      else {
        slot = tokens.length;
        tokens.push(undefined);
        tails.push('');
        entries.push(undefined);
        sizes.push(0);
        referenced.push(0);
      }
      tokens[slot] = token;
      tails[slot] = tail;
      entries[slot] = entry;
      sizes[slot] = size;
      referenced[slot] = 0;
      bytes += size;
      index.set(tail, slot);
      return true;
    },

    stats() {
      return { hits, misses, evictions, entries: index.size, bytes };
    },

    clear() {
      index.clear();
      tokens.length = 0;
      tails.length = 0;
      entries.length = 0;
      sizes.length = 0;
      free.length = 0;
      referenced.length = 0;
      hand = 0;
      bytes = 0;
    },
  };
}
