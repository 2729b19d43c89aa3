// The thread's long-lived auth resources shared by every config generation: the asymmetric verifier and the JWKS registry.
import { availableParallelism } from 'node:os';
import type { GatewaySettings } from '../config/types.js';
import { verifyAsymmetric as verifyInline, type AsymmetricVerify } from '../crypto/asymmetric.js';
import { createLibuvVerifier } from '../crypto/verify-libuv.js';
import { createVerifyPool } from '../crypto/verify-pool.js';
import { emptyVerifierStats, type VerifierStats, type VerifyMode } from '../crypto/verifier-types.js';
import { jwksSettingsOf, type JwksEvent } from './jwks/jwks-cache.js';
import { createJwksRegistry, type JwksRegistry } from './jwks/jwks-registry.js';

interface Verifier {
  readonly verify: AsymmetricVerify;
  stats(): VerifierStats;
  close(): Promise<void>;
}

export interface AuthResources {
  readonly verifyAsymmetric: AsymmetricVerify;
  readonly jwks: JwksRegistry;
  readonly mode: VerifyMode;
}

export interface AuthResourceLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

let verifier: Verifier | null = null;
let verifierKey = '';
let registry: JwksRegistry | null = null;
let logger: AuthResourceLogger | null = null;

function inlineVerifier(): Verifier {
  return { verify: verifyInline, stats: () => emptyVerifierStats('inline'), close: async () => undefined };
}

function onJwksEvent(e: JwksEvent): void {
  if (logger === null) return;
  if (e.type === 'loaded' || e.type === 'changed') logger.info({ jwks: e.uri, event: e.type }, e.message);
  else logger.warn({ jwks: e.uri, event: e.type }, e.message);
}

/**
 * The verifier and JWKS registry for this thread, created on first use. The verifier mode, queue bound and
 * pool size are bound at the first call (a reload that changes them logs a warning; they apply after a
 * restart); JWKS bounds follow every reload.
 */
export function authResourcesFor(s: GatewaySettings, log?: AuthResourceLogger): AuthResources {
  if (log !== undefined) logger = log;
  const key = `${s.asymmetric_verify}/${s.verify_queue_max}/${s.verify_pool_threads}`;
  if (verifier === null) {
    verifierKey = key;
    if (s.asymmetric_verify === 'libuv') verifier = createLibuvVerifier({ maxPending: s.verify_queue_max });
    else if (s.asymmetric_verify === 'pool') {
      const workers = Math.max(1, s.workers);
      // One pool per data-plane thread: split the spare cores between them, at least one thread each.
      const auto = Math.max(1, Math.floor((availableParallelism() - 1) / workers));
      let reported = false;
      verifier = createVerifyPool({
        threads: s.verify_pool_threads > 0 ? s.verify_pool_threads : auto,
        maxPending: s.verify_queue_max,
        onError(err) {
          if (reported) return;
          reported = true;
          logger?.warn({ err }, 'verify pool failed a batch; verifying inline on the event loop instead (further failures are counted, not logged)');
        },
      });
    } else verifier = inlineVerifier();
  } else if (key !== verifierKey) {
    logger?.warn({ setting: 'gateway.asymmetric_verify' }, 'gateway.asymmetric_verify / verify_queue_max / verify_pool_threads changed; they take effect only after a restart');
    verifierKey = key;
  }
  registry?.updateSettings(jwksSettingsOf(s));
  return { verifyAsymmetric: verifier.verify, jwks: sharedJwksRegistry(s), mode: verifier.stats().mode };
}

/** The thread's JWKS registry alone (created on first use), for an authenticator given no registry. */
export function sharedJwksRegistry(gateway: GatewaySettings): JwksRegistry {
  if (registry === null) registry = createJwksRegistry({ settings: jwksSettingsOf(gateway), onEvent: onJwksEvent });
  return registry;
}

export function authResourceStats(): { verify: VerifierStats | null; jwks: ReturnType<JwksRegistry['stats']> | null } {
  return { verify: verifier?.stats() ?? null, jwks: registry?.stats() ?? null };
}

/** Ends the pool threads and JWKS timers so the thread can exit. */
export async function closeAuthResources(): Promise<void> {
  const v = verifier;
  verifier = null;
  registry?.close();
  registry = null;
  await v?.close();
}
