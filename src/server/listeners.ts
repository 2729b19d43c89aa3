// Opens every proxy_listen entry of one worker with the engine that serves it; listens, stops and closes them together.
import type { Logger } from 'pino';
import type { GatewaySettings, HttpEngine, ListenerSpec } from '../config/types.js';
import { listenerAddress, listenerEngine } from '../config/listen-spec.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import { createNodeEngine, NODE_PORT_SHARING, type NodeTlsOptions } from './node-engine.js';
import { loadUws, uwsBinaryAvailable, uwsBinaryPath, type Uws } from './uws-loader.js';
import { UwsPeerAddresses, uwsPeerHook } from '../native/uws-peers.js';
import { createUwsEngine, type UwsEngineTls } from './uws-engine.js';
import { uwsMarkFailure } from '../native/uws-mark.js';
import type { UwsTlsFiles } from './app.js';
import type { TlsMaterial } from '../tls/tls-material.js';
import { nodeDefaultCertificate, nodeTlsOptions } from '../tls/tls-generation.js';
import { createPemFiles, type PemFiles } from '../tls/pem-files.js';
import { planUwsTls, uwsTlsGaps } from '../tls/uws-plan.js';

export interface ListenerServers {
  /** The engine serving each proxy_listen entry, in order. */
  readonly engines: readonly HttpEngine[];
  /** null when no listener uses uWS; else whether its native binary loaded (it did if any listener uses it). */
  readonly uwsNative: boolean | null;
  /** Binds every listener (host/ports override the configured ones); resolves with the bound ports, in order. */
  listen(host?: string, ports?: readonly number[]): Promise<number[]>;
  stopListening(): void;
  closeAll(): void;
  /** New certificates or SNIs for every ssl listener; established connections keep theirs. */
  updateTls(material: TlsMaterial): Promise<void>;
}

export interface ListenerOptions {
  via: string;
  /** Called when a claims_to_headers value is dropped as unsafe for a header. */
  onUnsafeClaim?: (header: string, claim: string) => void;
  logger: Logger;
  /** The current generation's certificates (null when no listener has `ssl`); read at every handshake by the node engine. */
  tls(): TlsMaterial | null;
  /** Session ticket keys shared by every worker (node engine), or null for per-server keys. */
  ticketKeys: Buffer | null;
  /**
   * Whether this worker binds node-engine listeners when Node cannot share a port between threads (Node < 22.12):
   * then only the first worker serves them.
   */
  primary: boolean;
}

/** uWS's slow pure-JS fallback is never used: when the binary cannot load, the node engine serves instead. */
async function loadNativeUws(): Promise<Uws | null> {
  if (!uwsBinaryAvailable()) return null;
  try {
    const loaded = await loadUws();
    return loaded.native ? loaded.uws : null;
  } catch {
    return null;
  }
}

export async function createListenerServers(
  gateway: GatewaySettings,
  entry: PipelineEntry,
  options: ListenerOptions,
): Promise<ListenerServers> {
  const { logger } = options;
  const contexts: ListenerContext[] = gateway.proxy_listen.map((spec) => ({
    spec,
    listenPort: '0',
    via: options.via,
    proto: spec.ssl ? 'https' : 'http',
    onUnsafeClaim: options.onUnsafeClaim,
  }));
  const engines = contexts.map((ctx) => listenerEngine(ctx.spec, gateway.http_engine));
  let uwsNative: boolean | null = null;
  let uws: Uws | null = null;
  if (engines.includes('uws')) {
    uws = await loadNativeUws();
    uwsNative = uws !== null;
    if (uws === null) {
      logger.warn(`the uWebSockets.js binary cannot load on Node ${process.versions.node}; the node engine serves every listener instead`);
      engines.fill('node');
    }
  }
  // uWS loads certificates from files: one private directory per worker, removed on close.
  let pemFiles: PemFiles | null = null;
  const uwsTls = (ctx: ListenerContext): UwsEngineTls | null => {
    const material = options.tls();
    if (material === null) return null;
    const files = (pemFiles ??= createPemFiles());
    const plan = (m: TlsMaterial): UwsTlsFiles => {
      const p = planUwsTls(m.generation, files, m.routeSnis, m.routesUseSni);
      if (p === null)
        throw new Error(`listener ${listenerAddress(ctx.spec)} has 'ssl' but no certificate is configured (gateway.ssl_cert)`);
      return p;
    };
    return { files: plan(material), plan };
  };
  const nodeTls = (): NodeTlsOptions | null => {
    const material = options.tls();
    return material === null ? null : nodeTlsOptions(() => options.tls()!.generation, options.ticketKeys);
  };
  // What uWS cannot serve as Kong does (two key types per name, overlapping wildcards) goes to the node engine.
  const material = options.tls();
  const uwsGaps = material === null ? [] : uwsTlsGaps(material.generation);
  contexts.forEach((ctx, i) => {
    if (engines[i] !== 'uws' || !ctx.spec.ssl || uwsGaps.length === 0) return;
    engines[i] = 'node';
    logger.warn(`listener ${listenerAddress(ctx.spec)}: served by the node engine because uWS cannot: ${uwsGaps.join('; ')}`);
  });
  // uWS listeners, plain and TLS, record each connection's address once and answer a first request uWS cannot read,
  // when the addon can hook their connections (uws-peers.ts).
  const peerHook = uwsPeerHook();
  const binaryPath = uwsBinaryPath();
  const uwsPeers = (ctx: ListenerContext): UwsPeerAddresses | null =>
    peerHook === null || binaryPath === null
      ? null
      : new UwsPeerAddresses(peerHook, binaryPath, ctx.spec.ssl, (why) =>
          logger.warn(
            `listener ${listenerAddress(ctx.spec)}: the client address is read per request, and first requests uWS cannot read get no answer: ${why}`,
          ),
        );
  const servers: Array<EngineServer | null> = contexts.map((ctx, i) => {
    if (engines[i] === 'uws') return createUwsEngine(uws!, ctx, entry, ctx.spec.ssl ? uwsTls(ctx) : null, uwsPeers(ctx));
    if (NODE_PORT_SHARING === 'none' && !options.primary) return null;
    return createNodeEngine(ctx, entry, {
      maxHeaderBytes: gateway.max_header_bytes,
      tls: ctx.spec.ssl ? nodeTls() : null,
      defaultCertificate: (m) => nodeDefaultCertificate(m.generation, options.ticketKeys),
    });
  });
  if (NODE_PORT_SHARING === 'none' && options.primary && engines.includes('node') && gateway.workers > 1) {
    logger.warn(
      `Node ${process.versions.node} cannot share a port between threads: only worker 0 serves the node-engine listeners` +
        ` (${contexts
          .filter((_, i) => engines[i] === 'node')
          .map((c) => listenerAddress(c.spec))
          .join(', ')}); build the native addon (npm run build) or use Node 22.12 or later`,
    );
  }
  return {
    engines,
    uwsNative,
    async listen(host, ports) {
      const bound: number[] = [];
      for (let i = 0; i < servers.length; i++) {
        const spec = contexts[i]!.spec;
        const wanted = ports?.[i] ?? spec.port;
        const port = servers[i] === null ? wanted : await servers[i]!.listen(host ?? spec.host, wanted);
        contexts[i]!.listenPort = String(port);
        bound.push(port);
      }
      const markKept = uwsMarkFailure();
      if (options.primary && markKept !== null) logger.warn(`responses carry uWS's "uWebSockets: 20" header: ${markKept}`);
      return bound;
    },
    stopListening() {
      for (const s of servers) s?.stopListening();
    },
    closeAll() {
      for (const s of servers) s?.closeAll();
      pemFiles?.remove();
    },
    async updateTls(next) {
      // Together: each listener's new certificates apply at once, while the sockets they took over drain.
      await Promise.all(servers.map((s) => s?.updateTls?.(next)));
    },
  };
}

/** The authorizer listener of one worker: null when this worker does not bind it (node engine on Node < 22.12, not primary). */
export interface AuthorizerServer {
  readonly engine: HttpEngine;
  readonly context: ListenerContext;
  readonly server: EngineServer | null;
}

/** authorizer_listen: plain HTTP only (validation refuses `ssl`), served by its `engine=` flag or gateway.http_engine. */
export async function createAuthorizerServer(
  gateway: GatewaySettings,
  spec: ListenerSpec,
  entry: PipelineEntry,
  options: Pick<ListenerOptions, 'via' | 'logger' | 'primary'>,
): Promise<AuthorizerServer> {
  const context: ListenerContext = { spec, listenPort: '0', via: options.via, proto: 'http' };
  let engine = listenerEngine(spec, gateway.http_engine);
  const uws = engine === 'uws' ? await loadNativeUws() : null;
  if (engine === 'uws' && uws === null) {
    options.logger.warn(
      `authorizer_listen: the uWebSockets.js binary cannot load on Node ${process.versions.node}; the node engine serves it`,
    );
    engine = 'node';
  }
  if (uws !== null) return { engine, context, server: createUwsEngine(uws, context, entry, null) };
  if (NODE_PORT_SHARING === 'none' && !options.primary) return { engine, context, server: null };
  return { engine, context, server: createNodeEngine(context, entry, { maxHeaderBytes: gateway.max_header_bytes, tls: null }) };
}
