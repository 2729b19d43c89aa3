// What an uWS SSLApp needs for one TLS generation (certificate files per server name), and what uWS cannot serve as Kong does.
import type { TlsCertificate, TlsGeneration } from './tls-generation.js';
import type { PemFileNames, PemFiles } from './pem-files.js';
import { wildcardsOf } from './sni-selector.js';

export interface UwsTlsPlan {
  readonly defaultFiles: PemFileNames;
  readonly names: ReadonlyArray<{ readonly name: string; readonly files: PemFileNames }>;
  /** Whether each name's router tells requests their SNI (when routes use snis). */
  readonly routeBySni: boolean;
}

/**
 * uWS picks certificates from its own SNI tree (exact, then one wildcard label, as Kong) but can serve one key type per
 * name, and when a name matches both a `*.x` and a `y.*` entry its tree may choose differently from Kong's order.
 * `routeSnis` (exact route snis) are registered too, so each gets its own domain router and the pipeline learns the SNI.
 */
export function planUwsTls(gen: TlsGeneration, files: PemFiles, routeSnis: readonly string[], routeBySni: boolean): UwsTlsPlan | null {
  const fallback = gen.defaultCertificate;
  if (fallback === null) return null;
  const fileOf = (c: TlsCertificate): PemFileNames => files.write(c.pairs[0]!.cert, c.pairs[0]!.key);
  const defaultFiles = fileOf(fallback);
  const names = new Map<string, PemFileNames>();
  for (const [name, cert] of gen.byName) names.set(name, fileOf(cert));
  for (const name of routeSnis) {
    if (!names.has(name) && !name.includes('*')) names.set(name, fileOf(gen.selector.select(name) ?? fallback));
  }
  return { defaultFiles, names: [...names].map(([name, f]) => ({ name, files: f })), routeBySni };
}

/** Why uWS cannot serve this generation exactly as Kong would (empty when it can): such listeners go to the node engine. */
export function uwsTlsGaps(gen: TlsGeneration): string[] {
  const gaps: string[] = [];
  const all = gen.defaultCertificate === null ? gen.certificates : [gen.defaultCertificate, ...gen.certificates];
  if (all.some((c) => c.pairs.length > 1)) gaps.push('two key types (RSA and ECDSA) for one name: uWS serves one certificate per name');
  const overlap = overlappingWildcards(gen);
  if (overlap !== null)
    gaps.push(
      `'${overlap[0]}' and '${overlap[1]}' can match one name with different certificates, and uWS may not prefer the first as Kong does`,
    );
  return gaps;
}

/** A `*.a.b` and a `c.a.*` both match `c.a.b`: Kong prefers the first; uWS's tree does not promise it. */
function overlappingWildcards(gen: TlsGeneration): [string, string] | null {
  const leading = [...gen.byName.keys()].filter((n) => n.startsWith('*.'));
  for (const trailing of gen.byName.keys()) {
    if (!trailing.endsWith('.*')) continue;
    for (const lead of leading) {
      // The name both would match: trailing's labels, with the leading pattern's last label in place of `*`.
      const candidate = `${trailing.slice(0, -1)}${lead.slice(lead.lastIndexOf('.') + 1)}`;
      if (wildcardsOf(candidate).prefix === lead && gen.byName.get(lead) !== gen.byName.get(trailing)) return [lead, trailing];
    }
  }
  return null;
}
