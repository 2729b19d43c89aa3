// Opens every proxy_listen entry of one worker with the engine that serves it; listens, stops and closes them together.
import type { Logger } from 'pino';
import type { GatewaySettings } from '../config/types.js';
import { listenerEngine } from '../config/listen-spec.js';
import { loadUws } from './uws-loader.js';
import { createUwsEngine } from './uws-engine.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import type { UwsTlsFiles } from './app.js';
import type { UwsEngineTls } from './uws-engine.js';
import type { TlsMaterial } from '../tls/tls-material.js';
import { createPemFiles, type PemFiles } from '../tls/pem-files.js';
import { planUwsTls } from '../tls/uws-plan.js';

export interface ListenerServers {
  /** 'uws-native' when the uWebSockets.js binary loaded, 'uws-fallback' for its slow pure-JS server. */
  readonly httpEngine: 'uws-native' | 'uws-fallback';
  /** Binds every listener (host/ports override the configured ones); resolves with the bound ports, in order. */
  listen(host?: string, ports?: readonly number[]): Promise<number[]>;
  stopListening(): void;
  closeAll(): void;
  /** New certificates or SNIs for every ssl listener; established connections keep theirs. */
  updateTls(material: TlsMaterial): Promise<void>;
}

export async function createListenerServers(
  gateway: GatewaySettings, via: string, entry: PipelineEntry, logger: Logger, tls: TlsMaterial | null = null,
): Promise<ListenerServers> {
  const { uws, native } = await loadUws();
  if (!native) logger.error('uWebSockets.js native binary did not load; serving with its slow pure-JS fallback');
  const contexts: ListenerContext[] = gateway.proxy_listen.map((spec) => ({ spec, listenPort: '0', via, proto: spec.ssl ? 'https' : 'http' }));
  // uWS loads certificates from files: one private directory per worker, removed on close.
  let pemFiles: PemFiles | null = null;
  const uwsTls = (material: TlsMaterial | null): UwsEngineTls => {
    pemFiles ??= createPemFiles();
    const files = pemFiles;
    const plan = (m: TlsMaterial): UwsTlsFiles => {
      const p = planUwsTls(m.generation, files, m.routeSnis, m.routesUseSni);
      if (p === null) throw new Error("an 'ssl' listener needs gateway.ssl_cert");
      for (const reason of p.unsupported) logger.warn(`uWS TLS listener: ${reason}; Kong's selection is not guaranteed for it`);
      return p;
    };
    if (material === null) throw new Error("an 'ssl' listener needs gateway.ssl_cert");
    return { files: plan(material), plan };
  };
  const servers: EngineServer[] = contexts.map((ctx) => {
    const engine = listenerEngine(ctx.spec, gateway.http_engine);
    if (engine !== 'uws') throw new Error(`http engine '${engine}' is not available yet`);
    return createUwsEngine(uws, ctx, entry, ctx.spec.ssl ? uwsTls(tls) : null);
  });
  return {
    httpEngine: native ? 'uws-native' : 'uws-fallback',
    async listen(host, ports) {
      const bound: number[] = [];
      for (let i = 0; i < servers.length; i++) {
        const spec = contexts[i]!.spec;
        const port = await servers[i]!.listen(host ?? spec.host, ports?.[i] ?? spec.port);
        contexts[i]!.listenPort = String(port);
        bound.push(port);
      }
      return bound;
    },
    stopListening() {
      for (const s of servers) s.stopListening();
    },
    closeAll() {
      for (const s of servers) s.closeAll();
      pemFiles?.remove();
    },
    async updateTls(material) {
      for (const s of servers) if (s.updateTls) await s.updateTls(material);
    },
  };
}
