// For `explain`: how a token's key claim differs from each credential key (trailing slash, case, spaces), closest first.
export interface KeyComparison {
  key: string;
  /** `near miss: trailing slash` etc., or `different`. */
  note: string;
}

/** At most this many credential keys are listed; near misses always come first. */
const MAX_LISTED = 20;

function note(value: string, key: string): string | null {
  const trim = (s: string) => s.replace(/\/+$/, '');
  if (trim(value) === trim(key))
    return value.length > key.length
      ? 'near miss: the token has a trailing slash the key lacks'
      : 'near miss: the key has a trailing slash the token lacks';
  if (value.trim() === key.trim()) return 'near miss: leading or trailing whitespace';
  if (value.toLowerCase() === key.toLowerCase()) return 'near miss: differs only in letter case';
  if (trim(value.trim().toLowerCase()) === trim(key.trim().toLowerCase()))
    return 'near miss: differs in case, whitespace or trailing slash';
  if (value.startsWith(key) || key.startsWith(value)) return 'near miss: one is a prefix of the other';
  return null;
}

export function nearMisses(value: string, keys: readonly string[]): KeyComparison[] {
  const near: KeyComparison[] = [];
  const far: KeyComparison[] = [];
  for (const key of keys) {
    const n = note(value, key);
    (n === null ? far : near).push({ key, note: n ?? 'different' });
  }
  return [...near, ...far].slice(0, MAX_LISTED);
}
