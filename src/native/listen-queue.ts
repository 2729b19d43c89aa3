// The accept queue's length of a uWS listen socket, from the addon, so a listen socket new TLS material took over closes when nothing waits in it.
import { uwsBinaryPath, type us_listen_socket } from '../server/uws-loader.js';
import { nativeAddon } from './addon.js';

/** Connections waiting in an open listen socket's accept queue; -1 when it cannot be read. */
export type ListenQueueLength = (listenSocket: us_listen_socket) => number;

/** The addon's reader bound to the loaded uWS binary; null without the addon, the export (not Linux) or the binary. */
export function listenQueueReader(): ListenQueueLength | null {
  const read = nativeAddon?.uwsListenQueueLength;
  const binaryPath = uwsBinaryPath();
  if (typeof read !== 'function' || binaryPath === null) return null;
  return (listenSocket) => read(listenSocket, binaryPath);
}
