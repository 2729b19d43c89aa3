// One thread's long-lived resources, built once and passed in explicitly: verifier, JWKS registry, upstream pools and their read timeouts, logger, counters.
import type { Logger } from 'pino';
import type { GatewaySettings } from '../config/types.js';
import { createAsymmetricVerifier, type AsymmetricVerifier } from '../crypto/asymmetric-verifier.js';
import type { VerifyMode } from '../crypto/verifier-types.js';
import { jwksSettingsOf, type JwksEvent } from '../auth/jwks/jwks-cache.js';
import { createJwksRegistry, type JwksRegistry } from '../auth/jwks/jwks-registry.js';
import { ReadTimeouts } from '../proxy/read-timeouts.js';
import { createUpstreamPools, type UpstreamPools } from '../proxy/upstream-pools.js';
import { authTallies, emptyCounters } from '../observability/counters.js';
import type { DataPlaneCounters } from './types.js';

/**
 * What every config generation of one thread shares. The worker (or a test, the in-process path, `explain`) creates
 * it and hands it to the data plane; nothing on the request path reaches a module-level singleton instead.
 */
export interface ThreadRuntime {
  readonly logger: Logger;
  /** Bound at creation: a reload that changes its settings is logged; they apply after a restart. */
  readonly verifier: AsymmetricVerifier;
  /** JWKS caches by URI, kept across generations; its bounds follow every reload (`configure`). */
  readonly jwks: JwksRegistry;
  readonly pools: UpstreamPools;
  /** The read_timeout sweep of the thread's proxied exchanges (read-timeouts.ts); HTTP pools keep no timers of their own. */
  readonly readTimeouts: ReadTimeouts;
  /** The thread's data-plane counters, read by `DataPlane.counters()`. */
  readonly counters: DataPlaneCounters;
  /** Per-reason auth tallies (`tallyAuth`), copied into `counters` on read. */
  readonly authTallies: Float64Array;
  /** A new config generation's gateway settings. */
  configure(gateway: GatewaySettings): void;
  /** Closes the pools (in-flight exchanges get timeoutMs), the read-timeout sweep, the JWKS timers and the verifier threads. */
  close(timeoutMs: number): Promise<void>;
}

export interface ThreadRuntimeOptions {
  logger: Logger;
  /** Upstream connections per service origin in this thread (default 128). */
  upstreamConnections?: number;
  /** Overrides gateway.asymmetric_verify (`explain` verifies inline; it never starts threads for one request). */
  verifyMode?: VerifyMode;
}

function verifierKey(s: Pick<GatewaySettings, 'asymmetric_verify' | 'verify_queue_max' | 'verify_pool_threads'>): string {
  return `${s.asymmetric_verify}/${s.verify_queue_max}/${s.verify_pool_threads}`;
}

export function createThreadRuntime(gateway: GatewaySettings, options: ThreadRuntimeOptions): ThreadRuntime {
  const { logger } = options;
  const verifySettings = (g: GatewaySettings): GatewaySettings =>
    options.verifyMode === undefined ? g : { ...g, asymmetric_verify: options.verifyMode };
  const s = verifySettings(gateway);
  let boundKey = verifierKey(s);
  const verifier = createAsymmetricVerifier(s, {
    workers: gateway.workers,
    onPoolError(err) {
      logger.warn(
        { err },
        'verify pool failed a batch; verifying inline on the event loop instead (further failures are counted, not logged)',
      );
    },
  });
  const onEvent = (e: JwksEvent): void => {
    if (e.type === 'loaded' || e.type === 'changed') logger.info({ jwks: e.uri, event: e.type }, e.message);
    else logger.warn({ jwks: e.uri, event: e.type }, e.message);
  };
  const jwks = createJwksRegistry({ settings: jwksSettingsOf(gateway), onEvent });
  const pools = createUpstreamPools({ connections: options.upstreamConnections });
  const readTimeouts = new ReadTimeouts();

  return {
    logger,
    verifier,
    jwks,
    pools,
    readTimeouts,
    counters: emptyCounters(),
    authTallies: authTallies(),
    configure(next) {
      const key = verifierKey(verifySettings(next));
      if (key !== boundKey) {
        logger.warn(
          { setting: 'gateway.asymmetric_verify' },
          'gateway.asymmetric_verify / verify_queue_max / verify_pool_threads changed; they take effect only after a restart',
        );
        boundKey = key;
      }
      jwks.updateSettings(jwksSettingsOf(next));
    },
    async close(timeoutMs) {
      await pools.close(Math.max(0, timeoutMs));
      readTimeouts.close();
      jwks.close();
      await verifier.close();
    },
  };
}
