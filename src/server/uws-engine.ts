// The uWS engine: serves one listener with a uWS App (SSLApp on an ssl listener), turning each request into a snapshot and a writer.
import type { HttpRequest, HttpResponse, Uws } from './uws-loader.js';
import { createUwsServer, type RequestHandler, type UwsTlsFiles } from './app.js';
import { SnapshotReader } from './request-snapshot.js';
import { UwsResponseWriter, UwsWriteScratch } from './response-writer.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import type { TlsMaterial } from '../tls/tls-material.js';
import type { UwsPeerAddresses } from '../native/uws-peers.js';

/** TLS for an uWS listener: the files of the current plan. */
export interface UwsEngineTls {
  readonly files: UwsTlsFiles;
  /** The files for new TLS material. */
  plan(material: TlsMaterial): UwsTlsFiles;
}

/**
 * `peers`: the addon's per-connection peer addresses for this listener (made for a TLS one when `tls` is given), or
 * null (then each proxied request asks uWS; listeners.ts decides).
 */
export function createUwsEngine(
  uws: Uws,
  listener: ListenerContext,
  entry: PipelineEntry,
  tls: UwsEngineTls | null = null,
  peers: UwsPeerAddresses | null = null,
): EngineServer {
  let port = 0;
  const secure = tls !== null;
  // This listener's scratch: the snapshot reader's and the writers' (nothing module-level on the request path).
  const reader = new SnapshotReader(peers);
  const scratch = new UwsWriteScratch();
  const handlerFor =
    (sni: string | null): RequestHandler =>
    (res: HttpResponse, req: HttpRequest) => {
      const writer = new UwsResponseWriter(res, entry.requestIds, entry.shared, scratch);
      try {
        // The snapshot must be taken before the handler returns: uWS's HttpRequest lives on its stack.
        const snap = reader.snapshot(req, res, port);
        snap.tls = secure;
        snap.sni = sni;
        entry.handle(writer, snap, listener);
      } finally {
        writer.leaveHandler();
      }
    };
  const server = createUwsServer(
    uws,
    handlerFor(null),
    tls === null ? null : { files: tls.files, handlerFor },
    peers === null ? null : (socket, bound) => peers.watch(socket, bound),
  );
  return {
    async listen(host, wanted) {
      port = await server.listen(host, wanted);
      return port;
    },
    stopListening: () => server.stopListening(),
    closeAll: () => server.closeAll(),
    ...(tls !== null ? { updateTls: (material) => server.replaceTls(tls.plan(material)) } : {}),
  };
}
