// Listen sockets that several worker threads bind on one port, opened by the addon for Node versions whose net module has no reusePort.
import { isIP } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { nativeAddon } from './addon.js';

/** node:net's default backlog, used when a listener sets none. */
const DEFAULT_BACKLOG = 511;

/** true when the loaded addon can open shared listen sockets (a build with the export, on a system with SO_REUSEPORT). */
export const canListenSharedPort: boolean = typeof nativeAddon?.listenSharedPort === 'function';

/**
 * Opens a listening TCP socket with SO_REUSEPORT on `numericHost` (an IP literal) and `port`, for
 * `server.listen({ fd })`. Throws an Error shaped like node:net's bind errors (`code` EADDRINUSE, EACCES, …).
 */
export function listenSharedPort(numericHost: string, port: number, backlog: number | null): number {
  if (!canListenSharedPort || isIP(numericHost) === 0) throw new Error(`listen: cannot open a shared socket on ${numericHost}:${port}`);
  const result = nativeAddon!.listenSharedPort!(numericHost, port, backlog ?? DEFAULT_BACKLOG);
  if (result >= 0) return result;
  const code = getSystemErrorName(result);
  throw Object.assign(new Error(`listen ${code}: ${numericHost}:${port}`), {
    code,
    errno: result,
    syscall: 'listen',
    address: numericHost,
    port,
  });
}
