// The uWS engine: serves one listener with a uWS App, turning each uWS request into a snapshot and a uWS writer.
import type { HttpRequest, HttpResponse, Uws } from './uws-loader.js';
import { createUwsServer } from './app.js';
import { snapshotRequest } from './request-snapshot.js';
import { UwsResponseWriter } from './response-writer.js';
import type { EngineServer, ListenerContext, PipelineEntry } from './engine.js';

export function createUwsEngine(uws: Uws, listener: ListenerContext, entry: PipelineEntry): EngineServer {
  let port = 0;
  const server = createUwsServer(uws, (res: HttpResponse, req: HttpRequest) => {
    const writer = new UwsResponseWriter(res, entry.nextRequestId(), entry.shared);
    // The snapshot must be taken before the handler returns: uWS's HttpRequest lives on its stack.
    entry.handle(writer, snapshotRequest(req, res, port), listener);
  });
  return {
    async listen(host, wanted) {
      port = await server.listen(host, wanted);
      return port;
    },
    stopListening: () => server.stopListening(),
    closeAll: () => server.closeAll(),
  };
}
