// Turns off the `uWebSockets: 20` header uWS adds to every response, once per thread's uWS loop, through the addon.
import { uwsMarkKeptByEnvironment } from '../config/environment.js';
import { uwsBinaryPath, type us_listen_socket } from '../server/uws-loader.js';
import { nativeAddon } from './addon.js';

/** Why the addon could not switch this thread's header off; null while it did not try or succeeded. */
let failedBecause: string | null = null;
let tried = false;

/**
 * Sets uWS's own switch for the loop `listenSocket` belongs to (this thread's), the first time a listener binds.
 * Without the addon's export (no addon, an older build, not Linux x86-64) or with PORTCULLIS_UWS_MARK=keep, the header
 * stays and nothing is said (the addon's absence is announced at start-up already).
 */
export function silenceUwsMark(listenSocket: us_listen_socket, tls: boolean): void {
  if (tried) return;
  tried = true;
  const silence = nativeAddon?.silenceUwsMark;
  const binaryPath = uwsBinaryPath();
  if (uwsMarkKeptByEnvironment() || typeof silence !== 'function' || binaryPath === null) return;
  const why = silence(listenSocket, binaryPath, tls);
  if (why !== '') failedBecause = why;
}

/** Why the addon failed to switch the header off on this thread (it stays on its responses), or null. */
export function uwsMarkFailure(): string | null {
  return failedBecause;
}
