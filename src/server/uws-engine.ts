// The uWS engine: serves one listener with a uWS App (SSLApp on an ssl listener), turning each request into a snapshot and a writer.
import type { HttpRequest, HttpResponse, Uws } from './uws-loader.js';
import { createUwsServer, type RequestHandler, type UwsTlsFiles } from './app.js';
import { SnapshotReader } from './request-snapshot.js';
import { UwsResponseWriter, UwsWriteScratch } from './response-writer.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';
import type { TlsMaterial } from '../tls/tls-material.js';

/** TLS for an uWS listener: the files of the current plan. */
export interface UwsEngineTls {
  readonly files: UwsTlsFiles;
  /** The files for new TLS material. */
  plan(material: TlsMaterial): UwsTlsFiles;
}

export function createUwsEngine(uws: Uws, listener: ListenerContext, entry: PipelineEntry, tls: UwsEngineTls | null = null): EngineServer {
  let port = 0;
  const secure = tls !== null;
  // This listener's scratch: the snapshot reader's and the writers' (nothing module-level on the request path).
  const reader = new SnapshotReader();
  const scratch = new UwsWriteScratch();
  const handlerFor =
    (sni: string | null): RequestHandler =>
    (res: HttpResponse, req: HttpRequest) => {
      const writer = new UwsResponseWriter(res, entry.nextRequestId(), entry.shared, scratch);
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
  const server = createUwsServer(uws, handlerFor(null), tls === null ? null : { files: tls.files, handlerFor });
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
