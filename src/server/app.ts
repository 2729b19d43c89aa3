// The uWS App of one worker: one catch-all handler, listen on host:port, close the listen socket and every connection.
import type { HttpRequest, HttpResponse, Uws, us_listen_socket } from './uws-loader.js';

export type RequestHandler = (res: HttpResponse, req: HttpRequest) => void;

export interface UwsServer {
  /** Resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting new connections; open ones keep being served. */
  stopListening(): void;
  /** Closes every remaining connection (onAborted runs for in-flight responses). */
  closeAll(): void;
}

export function createUwsServer(uws: Uws, handler: RequestHandler): UwsServer {
  const app = uws.App();
  app.any('/*', handler);
  let listenSocket: us_listen_socket | null = null;
  let closed = false;
  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (socket === false) {
            reject(new Error(`cannot listen on ${host}:${port}`));
            return;
          }
          listenSocket = socket;
          resolve(uws.us_socket_local_port(socket as never));
        });
      });
    },
    stopListening() {
      if (listenSocket !== null) {
        uws.us_listen_socket_close(listenSocket);
        listenSocket = null;
      }
    },
    closeAll() {
      this.stopListening();
      if (closed) return;
      closed = true;
      // App.close() exists at runtime in 20.30 but is missing from its typings.
      const close = (app as unknown as { close?: () => void }).close;
      if (typeof close === 'function') close.call(app);
    },
  };
}
