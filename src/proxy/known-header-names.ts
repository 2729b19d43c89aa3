// Tells undici the gateway's own upstream header names once, so its request constructor stops lower-casing and re-checking them per request.
//
// undici's Request constructor looks every header name up in its table of well-known names
// (`headerNameLowerCasedRecord`, lib/core/constants.js). A name it does not know is lower-cased (a new string each
// request for a mixed-case name such as Kong's `X-Consumer-ID`), looked up again (a string-table probe for that
// fresh string) and checked against the token grammar with a regex. The gateway's names (X-Forwarded-*, identity,
// claims_to_headers, forward_payload_header) are fixed per config, so they are added to that table once: the
// constructor then finds them at once. The table maps a name to its lower-case form, which is exactly what undici
// computes for an unknown name, so nothing undici does with it changes; the name is still written as given (the
// wire bytes are unchanged). Only names that pass the same token grammar are added, so no check is skipped for a
// name that would have failed it. Pure speed: when undici's internals differ (another version), nothing is added.
// A name stays known after a reload drops it from the config (a few bytes per name ever configured).
import { createRequire } from 'node:module';

/** RFC 9110 token: undici's own rule for a header name it does not know. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

type NameTable = Record<string, string | undefined>;

/** undici's table of known names, or null when this undici does not have one of the expected shape. */
function undiciNameTable(): NameTable | null {
  try {
    const table = (createRequire(import.meta.url)('undici/lib/core/constants.js') as { headerNameLowerCasedRecord?: unknown })
      .headerNameLowerCasedRecord;
    if (typeof table !== 'object' || table === null) return null;
    const known = table as NameTable;
    // The shape this module relies on: a name (any case) → its lower-case form.
    return known.Authorization === 'authorization' && known.authorization === 'authorization' ? known : null;
  } catch {
    return null;
  }
}

/** Looked up once when the module loads (each worker thread loads its own). */
const table: NameTable | null = undiciNameTable();

/**
 * Adds `names` to undici's known header names (this thread's undici; each worker thread calls it for itself).
 * Returns how many were added. Names already known, and names that are not tokens, are left alone.
 */
export function registerHeaderNames(names: Iterable<string>): number {
  if (table === null) return 0;
  let added = 0;
  for (const name of names) {
    if (table[name] !== undefined || !TOKEN.test(name)) continue;
    table[name] = name.toLowerCase();
    added++;
  }
  return added;
}

/** Whether undici treats `name` as a known header name (tests). */
export function isKnownHeaderName(name: string): boolean {
  return table !== null && table[name] !== undefined;
}
