// The TLS input of one config generation, built only when it changed: certificates, route SNIs to register, a fingerprint.
import { createHash } from 'node:crypto';
import type { ValidatedConfig } from '../config/types.js';
import { createTlsGeneration, type TlsGeneration } from './tls-generation.js';

export interface TlsMaterial {
  readonly generation: TlsGeneration;
  /** Exact route `snis` names: engines that route by registered server name (uWS) register these too. */
  readonly routeSnis: readonly string[];
  /** Some route has `snis`: engines must learn each request's server name (uWS: a domain router per name). */
  readonly routesUseSni: boolean;
  /** Changes exactly when certificates, SNIs or route SNIs change (a reload of anything else keeps the listeners as they are). */
  readonly fingerprint: string;
}

export function tlsFingerprint(config: ValidatedConfig): string {
  const h = createHash('sha256');
  const g = config.gateway;
  h.update(JSON.stringify([g.ssl_cert, g.ssl_cert_key, config.certificates ?? null, config.snis ?? null]));
  h.update(JSON.stringify(routeSnisOf(config)));
  return h.digest('hex');
}

function routeSnisOf(config: ValidatedConfig): string[] {
  const names = new Set<string>();
  for (const r of config.routes) for (const n of r.snis ?? []) if (!n.includes('*')) names.add(n);
  return [...names].sort();
}

export function createTlsMaterial(config: ValidatedConfig): TlsMaterial {
  return Object.freeze({
    generation: createTlsGeneration(config),
    routeSnis: Object.freeze(routeSnisOf(config)),
    routesUseSni: config.routes.some((r) => (r.snis?.length ?? 0) > 0),
    fingerprint: tlsFingerprint(config),
  });
}
