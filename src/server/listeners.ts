// Opens every proxy_listen entry of one worker with the engine that serves it; listens, stops and closes them together.
import type { Logger } from 'pino';
import type { GatewaySettings, HttpEngine, ListenerSpec } from '../config/types.js';
import { listenerAddress, listenerEngine } from '../config/listen-spec.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import { createNodeEngine, NODE_REUSE_PORT, type NodeTlsOptions } from './node-engine.js';
import { loadUws, uwsBinaryAvailable, type Uws } from './uws-loader.js';
import { createUwsEngine } from './uws-engine.js';

export interface ListenerServers {
  /** The engine serving each proxy_listen entry, in order. */
  readonly engines: readonly HttpEngine[];
  /** null when no listener uses uWS; else whether its native binary loaded (it did if any listener uses it). */
  readonly uwsNative: boolean | null;
  /** Binds every listener (host/ports override the configured ones); resolves with the bound ports, in order. */
  listen(host?: string, ports?: readonly number[]): Promise<number[]>;
  stopListening(): void;
  closeAll(): void;
}

export interface ListenerOptions {
  via: string;
  logger: Logger;
  /** Certificate options for an `ssl` listener; null when none are configured. */
  tlsFor(spec: ListenerSpec): NodeTlsOptions | null;
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
  gateway: GatewaySettings, entry: PipelineEntry, options: ListenerOptions,
): Promise<ListenerServers> {
  const { logger } = options;
  const contexts: ListenerContext[] = gateway.proxy_listen.map((spec) => ({ spec, listenPort: '0', via: options.via }));
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
  const servers: Array<EngineServer | null> = contexts.map((ctx, i) => {
    if (engines[i] === 'uws') return createUwsEngine(uws!, ctx, entry);
    if (!NODE_REUSE_PORT && !options.primary) return null;
    return createNodeEngine(ctx, entry, { maxHeaderBytes: gateway.max_header_bytes, tls: ctx.spec.ssl ? options.tlsFor(ctx.spec) : null });
  });
  if (!NODE_REUSE_PORT && options.primary && engines.includes('node') && gateway.workers > 1) {
    logger.warn(`Node ${process.versions.node} cannot share a port between threads: only worker 0 serves the node-engine listeners`
      + ` (${contexts.filter((_, i) => engines[i] === 'node').map((c) => listenerAddress(c.spec)).join(', ')}); use Node 22.12 or later`);
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
      return bound;
    },
    stopListening() {
      for (const s of servers) s?.stopListening();
    },
    closeAll() {
      for (const s of servers) s?.closeAll();
    },
  };
}
