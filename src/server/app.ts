// The uWS App of one worker listener: plain or SSLApp with SNI names, listen on host:port, re-listen on new TLS material, close.
import type { HttpRequest, HttpResponse, TemplatedApp, Uws, us_listen_socket } from './uws-loader.js';
import type { PemFileNames } from '../tls/pem-files.js';
import { listenQueueReader } from '../native/listen-queue.js';
import { withStdoutDiscarded } from '../native/quiet-stdout.js';
import { silenceUwsMark } from '../native/uws-mark.js';

export type RequestHandler = (res: HttpResponse, req: HttpRequest) => void;

/** Certificates for an SSLApp: uWS loads them from files. */
export interface UwsTlsFiles {
  readonly defaultFiles: PemFileNames;
  /** Server names (exact or one wildcard label), each with its certificate and its own domain router. */
  readonly names: ReadonlyArray<{ readonly name: string; readonly files: PemFileNames }>;
  /** Whether each name's router tells the handler its name (the SNI, for route snis); every name has a router. */
  readonly routeBySni: boolean;
}

export interface UwsServer {
  /** Resolves with the bound port (useful with port 0). */
  listen(host: string, port: number): Promise<number>;
  /**
   * New certificates: a new SSLApp listens on the same port (SO_REUSEPORT) and the old listen socket closes. The old
   * app keeps serving its established connections: uWS cannot swap a default certificate in place, and removing a
   * server name frees the router its live connections point to.
   */
  replaceTls(tls: UwsTlsFiles): Promise<void>;
  /** Stops accepting new connections; open ones keep being served. */
  stopListening(): void;
  /** Closes every remaining connection (onAborted runs for in-flight responses). */
  closeAll(): void;
}

/** TLS for a listener: its certificate files and the handler for connections whose SNI selected a registered name. */
export interface UwsTls {
  readonly files: UwsTlsFiles;
  handlerFor(sni: string): RequestHandler;
}

/**
 * `handler` serves plain connections and TLS ones whose SNI matched no registered name. `onListening` is told the
 * listen socket and its port as soon as `listen` binds, before any connection is accepted, and again when new TLS
 * material's app takes the port over (its listen socket is a new one, of a new context).
 */
export function createUwsServer(
  uws: Uws,
  handler: RequestHandler,
  tls: UwsTls | null = null,
  onListening: ((socket: us_listen_socket, port: number) => void) | null = null,
): UwsServer {
  const build = (files: UwsTlsFiles | null): TemplatedApp => {
    const app = files === null ? uws.App() : uws.SSLApp({ ...files.defaultFiles });
    // The default router first: domain() switches later registrations to that name's router.
    app.any('/*', handler);
    // domain() prints two debug lines per name through C stdio, which would land among the JSON log lines.
    withStdoutDiscarded(() => {
      for (const { name, files: f } of files?.names ?? []) {
        app.addServerName(name, { ...f });
        // uWS serves a connection whose SNI selected a name by that name's own router only, and addServerName leaves
        // it empty (every request on it hung up): each name routes to the gateway, told the name when routes use snis.
        app.domain(name).any('/*', files!.routeBySni ? tls!.handlerFor(name) : handler);
      }
    });
    return app;
  };
  let app = build(tls?.files ?? null);
  const retired: TemplatedApp[] = [];
  const queueLength = tls === null ? null : listenQueueReader();
  let listenSocket: us_listen_socket | null = null;
  let bound: { host: string; port: number } | null = null;
  let closed = false;
  // Listen sockets new TLS material's apps took the port over from, each until its queue is drained and it closes.
  const retiring = new Set<us_listen_socket>();
  const closeRetiring = (socket: us_listen_socket): void => {
    if (retiring.delete(socket)) uws.us_listen_socket_close(socket);
  };
  const listenOn = (target: TemplatedApp, host: string, port: number): Promise<us_listen_socket> =>
    new Promise((resolve, reject) => {
      target.listen(host, port, (socket) => {
        if (socket === false) reject(new Error(`cannot listen on ${host}:${port}`));
        else resolve(socket);
      });
    });
  /**
   * Resolves when `socket`'s accept queue is empty, as far as the addon can tell, or after RETIRE_WAIT_MS. Linux resets
   * what still waits in a closing listen socket's queue (unless tcp_migrate_req is on), and the socket keeps getting
   * its share of new connections until it closes: each poll phase accepts what queued, so the close waits for one
   * that leaves nothing behind. Without the addon's reader, one poll phase (what queued while the change ran).
   */
  const drained = async (socket: us_listen_socket): Promise<void> => {
    const until = performance.now() + RETIRE_WAIT_MS;
    do await afterNextPollPhase();
    while (retiring.has(socket) && queueLength !== null && queueLength(socket) > 0 && performance.now() < until);
  };
  const close = (target: TemplatedApp): void => {
    // App.close() exists at runtime in 20.30 but is missing from its typings.
    const fn = (target as unknown as { close?: () => void }).close;
    if (typeof fn === 'function') fn.call(target);
  };
  return {
    async listen(host, port) {
      listenSocket = await listenOn(app, host, port);
      silenceUwsMark(listenSocket, tls !== null);
      bound = { host, port: uws.us_socket_local_port(listenSocket as never) };
      onListening?.(listenSocket, bound.port);
      return bound.port;
    },
    async replaceTls(files) {
      if (closed) return;
      const next = build(files);
      if (bound === null || listenSocket === null) {
        retired.push(app);
        app = next;
        return;
      }
      const socket = await listenOn(next, bound.host, bound.port);
      onListening?.(socket, bound.port);
      const taken = listenSocket;
      retiring.add(taken);
      listenSocket = socket;
      retired.push(app);
      app = next;
      await drained(taken);
      // Unless a stop closed it first.
      closeRetiring(taken);
    },
    stopListening() {
      for (const socket of retiring) closeRetiring(socket);
      if (listenSocket !== null) {
        uws.us_listen_socket_close(listenSocket);
        listenSocket = null;
      }
    },
    closeAll() {
      this.stopListening();
      if (closed) return;
      closed = true;
      for (const a of retired) close(a);
      close(app);
    },
  };
}

/** Longest a taken-over listen socket waits for an empty accept queue before it closes anyway. */
const RETIRE_WAIT_MS = 100;

/** Resolves in the check phase after the next poll phase: the loop has run its I/O callbacks once more. */
const afterNextPollPhase = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
