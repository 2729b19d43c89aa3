// One worker's data plane: the request front (request-front.ts) → undici proxy, listeners, atomic config generations, drain, counters.
import { performance } from 'node:perf_hooks';
import type { Authenticator, AuthAllow } from '../auth/types.js';
import type { CompiledConfig, CompiledRoute } from '../config/types.js';
import { ErrorBody, GATEWAY_MESSAGES, messageBody } from '../errors.js';
import { ERROR_CODES, hasErrorCode } from '../portcullis-error.js';
import type { RouteMatch, RouteTable } from '../routing/types.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';
import type { ClientResponse, ListenerContext, PipelineEntry, RequestBody, WriterShared } from '../server/engine.js';
import { createAuthorizerServer, createListenerServers } from '../server/listeners.js';
import { createTlsMaterial, tlsFingerprint, type TlsMaterial } from '../tls/tls-material.js';
import type { RefusalSettings } from '../server/refusal-policy.js';
import { buildUpstreamHeaders, asciiQuery, FORWARDED_HEADER_NAMES } from '../proxy/forwarded-headers.js';
import { registerHeaderNames } from '../proxy/known-header-names.js';
import { identityFor, identityHeaderNames } from '../auth/policy-headers.js';
import { withoutTokenArgs } from '../auth/hide-credentials.js';
import { copyAuthTallies } from '../observability/counters.js';
import { isGrpcService } from '../proxy/grpc-pool.js';
import { ProxyStreamHandler, type StreamHandlerHooks } from '../proxy/stream-handler.js';
import { createRequestIds } from './request-id.js';
import { admissionLimits, authorizerAdmissionLimits, type AdmissionLimits } from './admission.js';
import { createRequestFront } from './request-front.js';
import type { ThreadRuntime } from './thread-runtime.js';
import { packageVersion } from '../supervisor/package-version.js';
import type { DataPlane } from './types.js';
import { createAuthorizerEntry, createAuthorizerShared } from './authorizer.js';
import type { AccessLog } from '../observability/access-log.js';
import { createLoopDelayMonitor } from '../observability/loop-delay.js';

/** Kong's 503 answer (kong.response.error, with the request id). */
const NO_SERVICE = new ErrorBody(GATEWAY_MESSAGES.noService);

/** The parts of other modules the data plane builds per generation; injectable for tests. */
export interface DataPlaneFactories {
  createRouteTable(routes: readonly CompiledRoute[]): RouteTable;
  normalizePath(raw: string): string | null;
  createAuthenticator(config: CompiledConfig, runtime: ThreadRuntime): Authenticator;
}

export interface DataPlaneOptions {
  /** The thread's verifier, JWKS registry, pools, logger and counters; its creator closes it after the plane. */
  runtime: ThreadRuntime;
  /** Port per proxy_listen entry, same order; overrides the configured ports (0 = ephemeral). */
  listenPorts?: readonly number[];
  /** Overrides the host of every proxy_listen entry. */
  listenHost?: string;
  /** Overrides config.gateway.authorizer_listen.port (the supervisor's shared port when it is 0). */
  authorizerPort?: number;
  /** Product version in `Via: 1.1 portcullis/<version>`; default: package.json's. */
  version?: string;
  /** Binds node-engine listeners where Node cannot share a port between threads (Node < 22.12); default true. */
  primary?: boolean;
  /** Certificate options for `ssl` listeners (the TLS module); default: none. */
  /** Session ticket keys shared by every worker (node engine TLS listeners); absent = per-server keys. */
  ticketKeys?: Buffer | null;
  factories?: DataPlaneFactories;
  /** The worker's access log (gateway.access_log); null or absent = off, which costs one null check per request. */
  accessLog?: AccessLog | null;
}

/** While draining, how long no request may arrive before idle keep-alive connections are closed. */
const DRAIN_QUIET_MS = 100;

/** The gateway's constant `{"message":...}` answers, built once rather than per response. */
const BODIES = {
  websocketUnsupported: messageBody(GATEWAY_MESSAGES.websocketUnsupported),
  badGateway: messageBody(GATEWAY_MESSAGES.badGateway),
  unexpected: messageBody(GATEWAY_MESSAGES.unexpected),
} as const;

interface Generation {
  readonly config: CompiledConfig;
  readonly routes: RouteTable;
  readonly auth: Authenticator;
  readonly limits: AdmissionLimits;
  readonly authorizerLimits: AdmissionLimits;
}

function refusalSettings(config: CompiledConfig): RefusalSettings {
  const g = config.gateway;
  return { discardMaxBytes: g.discard_body_max_bytes, lingeringTimeMs: g.lingering_time_ms, lingeringTimeoutMs: g.lingering_timeout_ms };
}

async function defaultFactories(): Promise<DataPlaneFactories> {
  const [routing, normalize, auth] = await Promise.all([
    import('../routing/route-table.js'),
    import('../routing/normalize-path.js'),
    import('../auth/authenticator.js'),
  ]);
  return {
    createRouteTable: routing.createRouteTable,
    normalizePath: normalize.normalizePath,
    // The thread's verifier (libuv / pool / inline per gateway.asymmetric_verify) and JWKS registry outlive generations.
    createAuthenticator: (config, runtime) =>
      auth.createAuthenticator(config, { verifyAsymmetric: runtime.verifier.verify, jwks: runtime.jwks }),
  };
}

export async function createDataPlane(initial: CompiledConfig, options: DataPlaneOptions): Promise<DataPlane> {
  const { runtime } = options;
  const { logger, pools, readTimeouts, counters } = runtime;
  const factories = options.factories ?? (await defaultFactories());

  const build = (config: CompiledConfig): Generation => {
    runtime.configure(config.gateway);
    // The gateway's own upstream header names, known to undici once instead of lower-cased and checked per request.
    registerHeaderNames(FORWARDED_HEADER_NAMES);
    registerHeaderNames(identityHeaderNames(config));
    return {
      config,
      routes: factories.createRouteTable(config.routes),
      auth: factories.createAuthenticator(config, runtime),
      limits: admissionLimits(config.gateway),
      authorizerLimits: authorizerAdmissionLimits(config.gateway),
    };
  };
  let gen = build(initial);
  const normalizePath = factories.normalizePath;
  const requestIds = createRequestIds();
  const via = `1.1 portcullis/${options.version ?? packageVersion()}`;
  let drainWaiter: (() => void) | null = null;

  const accessLog = options.accessLog ?? null;
  let accessDroppedSeen = 0;
  const authCounts = runtime.authTallies;
  let queueFullRetired = 0;
  const shared: WriterShared & { draining: boolean; refusal: RefusalSettings } = {
    counters,
    via,
    draining: false,
    refusal: refusalSettings(initial),
    now: () => performance.now(),
    onComplete(writer) {
      if (writer.access !== null) accessLog!.write(writer, writer.body === null ? 0 : writer.body.received);
      if (drainWaiter !== null && counters.inFlight === 0 && authzShared.counters.inFlight === 0) drainWaiter();
    },
  };
  const upstreamHooks: StreamHandlerHooks = {
    onUpstreamDone(error) {
      if (error !== null && !hasErrorCode(error, ERROR_CODES.clientAborted)) counters.upstreamErrors++;
    },
    onChunkCopied(chunk) {
      pools.releaseChunk(chunk);
    },
  };

  function proxy(
    writer: ClientResponse,
    snap: RequestSnapshot,
    body: RequestBody | null,
    match: RouteMatch,
    allow: AuthAllow | null,
    forward: ListenerContext,
  ): void {
    const service = match.route.service;
    if (service === null) {
      writer.sendError(503, NO_SERVICE);
      return;
    }
    if (snap.websocket) {
      writer.sendJson(501, BODIES.websocketUnsupported);
      return;
    }
    // The route's jwt policy: its client-header rules, and which claim headers the allow's identity carries.
    const policy = match.route.jwt?.policy?.upstream ?? null;
    const identity = allow === null ? null : identityFor(allow, policy, forward.onUnsafeClaim);
    const headers = buildUpstreamHeaders(snap, match, writer.requestId, identity, policy, forward);
    // gRPC's HTTP/2 pools time their streams themselves (grpc-pool.ts); every other exchange is timed by the sweep.
    const readTimeout = isGrpcService(service) ? 0 : service.entity.read_timeout;
    const handler = new ProxyStreamHandler(writer, snap.method === 'HEAD', upstreamHooks, readTimeouts, readTimeout);
    if (writer.access !== null) writer.access.upstreamStartAt = performance.now();
    let query = snap.query;
    // hide_credentials: a token that came in the query does not go upstream.
    const hide = policy !== null && allow !== null && allow.token !== null ? policy.hide : null;
    if (hide !== null && query !== '') query = withoutTokenArgs(query, hide.params, allow!.token!);
    const path = query === '' ? match.upstreamPath : `${match.upstreamPath}?${asciiQuery(query)}`;
    try {
      // undici accepts an async iterable body at runtime; its typings list only Readable.
      pools.get(service).dispatch({ path, method: snap.method, headers, body: body as never }, handler);
    } catch (error) {
      logger.warn({ err: error }, 'upstream dispatch rejected the request');
      writer.sendJson(502, BODIES.badGateway);
    }
  }

  const handle = createRequestFront({
    current: () => gen,
    normalizePath,
    counters,
    authCounts,
    logger,
    accessLog,
    proxy,
  });
  const entry: PipelineEntry = {
    shared,
    requestIds,
    handle(writer, snap, listener) {
      counters.requests++;
      counters.inFlight++;
      try {
        handle(writer, snap, listener);
      } catch (error) {
        logger.error({ err: error }, 'request pipeline threw');
        writer.sendJson(500, BODIES.unexpected);
      }
    },
  };

  /**
   * Waits until nothing is in flight and no request arrived for DRAIN_QUIET_MS (or the timeout). A keep-alive client
   * learns of the drain from the `Connection: close` on its next response; closing its idle connection before then
   * races the request it may be sending on it, which it would see as a reset.
   */
  async function drainQuietly(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const wait = (ms: number, untilIdle: boolean): Promise<void> =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(ms, deadline - Date.now())));
        if (untilIdle)
          drainWaiter = () => {
            clearTimeout(timer);
            resolve();
          };
      });
    while (Date.now() < deadline) {
      if (counters.inFlight + authzShared.counters.inFlight > 0) {
        await wait(timeoutMs, true);
        drainWaiter = null;
        continue;
      }
      const seen = counters.requests;
      await wait(DRAIN_QUIET_MS, false);
      if (counters.inFlight + authzShared.counters.inFlight === 0 && counters.requests === seen) return;
    }
  }

  // TLS material is built only for ssl listeners, and again on a reload only when certificates or SNIs changed.
  const secure = initial.gateway.proxy_listen.some((spec) => spec.ssl);
  let tls: TlsMaterial | null = secure ? createTlsMaterial(initial.validated) : null;
  const servers = await createListenerServers(initial.gateway, entry, {
    via,
    logger,
    primary: options.primary ?? true,
    tls: () => tls,
    ticketKeys: options.ticketKeys ?? null,
    onUnsafeClaim(header, claim) {
      logger.debug({ header, claim }, 'claims_to_headers: claim value has characters a header cannot carry; not sent');
    },
  });
  const ports: number[] = [];
  // authorizer_listen: the same generations and counters, its own listener and response counters (never proxied).
  const authzShared = createAuthorizerShared(shared);
  // The event loop's delay since the previous counters() read, sampled only while there is traffic (idle costs nothing).
  const loopDelay = createLoopDelayMonitor({
    activity: () =>
      counters.requests + authzShared.counters.responses2xx + authzShared.counters.responses4xx + authzShared.counters.responses5xx,
    inFlight: () => counters.inFlight + authzShared.counters.inFlight,
  });
  const authzSpec = initial.gateway.authorizer_listen;
  const authz =
    authzSpec === null
      ? null
      : await createAuthorizerServer(
          initial.gateway,
          authzSpec,
          createAuthorizerEntry({
            current: () => gen,
            normalizePath,
            counters,
            requestIds,
            shared: authzShared,
            logger,
            accessLog,
          }),
          { via, logger, primary: options.primary ?? true },
        );
  let authorizerPort = 0;
  const plane: DataPlane = {
    info: {
      httpEngine: [...new Set(servers.engines)].map((e) => (e === 'uws' ? 'uws-native' : e)).join('+'),
      httpEngines: [...servers.engines],
      uwsNative: servers.uwsNative,
      hmacEngine: gen.auth.hmacEngine,
    },
    ports,
    get generation() {
      return gen.config.generation;
    },
    async listen() {
      ports.push(...(await servers.listen(options.listenHost, options.listenPorts)));
      if (authz !== null) {
        const wanted = options.authorizerPort ?? authz.context.spec.port;
        authorizerPort = authz.server === null ? wanted : await authz.server.listen(authz.context.spec.host, wanted);
        authz.context.listenPort = String(authorizerPort);
      }
      return ports[0]!;
    },
    get authorizerPort() {
      return authz === null ? null : authorizerPort;
    },
    reload(config) {
      const next = build(config);
      queueFullRetired += gen.auth.stats().verifyQueueFull ?? 0;
      gen = next;
      shared.refusal = refusalSettings(config);
      pools.retain(config.services);
      if (tls !== null && tlsFingerprint(config.validated) !== tls.fingerprint) {
        tls = createTlsMaterial(config.validated);
        servers
          .updateTls(tls)
          .catch((err: unknown) => logger.error({ err }, 'new TLS certificates could not be applied; the previous ones keep serving'));
      }
      // SIGHUP re-opens a file access log, so logrotate can move it away.
      accessLog?.reopen();
    },
    async close(timeoutMs) {
      shared.draining = true;
      authzShared.draining = true;
      servers.stopListening();
      authz?.server?.stopListening();
      await drainQuietly(Math.max(0, timeoutMs));
      servers.closeAll();
      authz?.server?.closeAll();
      await accessLog?.close();
      loopDelay.close();
    },
    counters() {
      const s = gen.auth.stats();
      counters.tokenCacheHits = s.cacheHits;
      counters.tokenCacheMisses = s.cacheMisses;
      counters.tokenCacheEvictions = s.cacheEvictions;
      counters.tokenCacheEntries = s.cacheEntries;
      copyAuthTallies(authCounts, counters);
      counters.verifyQueueFull = queueFullRetired + (s.verifyQueueFull ?? 0);
      const verify = runtime.verifier.stats();
      const jwks = runtime.jwks.stats();
      counters.verifyPending = verify.pending;
      counters.verifyOffloaded = verify.submitted;
      counters.jwksSources = jwks.sources;
      counters.jwksSourcesReady = jwks.sourcesReady;
      counters.jwksFetches = jwks.fetches;
      counters.jwksFetchErrors = jwks.fetchErrors;
      counters.jwksRefetchesSuppressed = jwks.refetchesSuppressed;
      if (accessLog !== null && accessLog.dropped !== accessDroppedSeen) {
        logger.warn({ dropped: accessLog.dropped - accessDroppedSeen }, 'access log lines dropped: the destination cannot keep up');
        accessDroppedSeen = accessLog.dropped;
      }
      const delay = loopDelay.read();
      counters.loopDelayP99Us = delay === null ? 0 : delay.p99Us;
      counters.loopDelayMaxUs = delay === null ? 0 : delay.maxUs;
      return { ...counters };
    },
  };
  return plane;
}
