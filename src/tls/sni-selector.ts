// Kong's certificate selection by SNI: exact name, then `*.rest` (first label replaced), then `prefix.*` (last label replaced), then the default.

/** The two wildcard names Kong tries for a server name: `*.` + all but the first label, all but the last label + `.*`. */
export function wildcardsOf(name: string): { prefix: string | null; suffix: string | null } {
  const firstDot = name.indexOf('.');
  const lastDot = name.lastIndexOf('.');
  if (firstDot <= 0 || lastDot === name.length - 1) return { prefix: null, suffix: null };
  // `example.com` has no `*.com` candidate (Kong needs at least two labels after the wildcard), only `example.*`.
  const prefix = firstDot === lastDot ? null : `*${name.slice(firstDot)}`;
  return { prefix, suffix: `${name.slice(0, lastDot)}.*` };
}

export interface SniSelector<T> {
  /** The entry for a server name (any case), or the default when none matches (null when there is no default). */
  select(servername: string | null | undefined): T | null;
}

/** `byName` maps lower-case SNI names (exact or wildcard, as configured) to their entries. */
export function createSniSelector<T>(byName: ReadonlyMap<string, T>, fallback: T | null): SniSelector<T> {
  return {
    select(servername) {
      if (!servername) return fallback;
      const name = servername.toLowerCase();
      const exact = byName.get(name);
      if (exact !== undefined) return exact;
      const { prefix, suffix } = wildcardsOf(name);
      return (prefix !== null ? byName.get(prefix) : undefined) ?? (suffix !== null ? byName.get(suffix) : undefined) ?? fallback;
    },
  };
}

/** True when `name` (an exact server name) is matched by `pattern` (exact or one wildcard label), Kong's way. */
export function sniMatches(pattern: string, name: string): boolean {
  if (pattern === name) return true;
  const { prefix, suffix } = wildcardsOf(name);
  return pattern === prefix || pattern === suffix;
}
