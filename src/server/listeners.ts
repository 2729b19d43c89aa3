// Opens every proxy_listen entry of one worker with the engine that serves it; listens, stops and closes them together.
import type { Logger } from 'pino';
import type { GatewaySettings } from '../config/types.js';
import { listenerEngine } from '../config/listen-spec.js';
import { loadUws } from './uws-loader.js';
import { createUwsEngine } from './uws-engine.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';

export interface ListenerServers {
  /** 'uws-native' when the uWebSockets.js binary loaded, 'uws-fallback' for its slow pure-JS server. */
  readonly httpEngine: 'uws-native' | 'uws-fallback';
  /** Binds every listener (host/ports override the configured ones); resolves with the bound ports, in order. */
  listen(host?: string, ports?: readonly number[]): Promise<number[]>;
  stopListening(): void;
  closeAll(): void;
}

export async function createListenerServers(
  gateway: GatewaySettings, via: string, entry: PipelineEntry, logger: Logger,
): Promise<ListenerServers> {
  const { uws, native } = await loadUws();
  if (!native) logger.error('uWebSockets.js native binary did not load; serving with its slow pure-JS fallback');
  const contexts: ListenerContext[] = gateway.proxy_listen.map((spec) => ({ spec, listenPort: '0', via }));
  const servers: EngineServer[] = contexts.map((ctx) => {
    const engine = listenerEngine(ctx.spec, gateway.http_engine);
    if (engine !== 'uws') throw new Error(`http engine '${engine}' is not available yet`);
    return createUwsEngine(uws, ctx, entry);
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
    },
  };
}
