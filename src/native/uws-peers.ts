// Each uWS connection's peer address (plain HTTP or TLS), recorded by the addon when the connection is accepted, so a proxied request does not ask the kernel for it.
import { peerAddressCacheDisabled } from '../config/environment.js';
import type { HttpResponse, us_listen_socket } from '../server/uws-loader.js';
import { nativeAddon } from './addon.js';

/** The addon's two calls (absent from a build older than them, or on a platform without dlopen). */
export interface UwsPeerHook {
  /**
   * '' when the connections `listenSocket` accepts have their addresses recorded from now on (and a first request uWS
   * cannot read answered: native/src/first_request.h), else why not. `tls` says whether it is an SSLApp's listen
   * socket (its handlers live in uSockets' SSL context).
   */
  watchUwsListener(listenSocket: us_listen_socket, binaryPath: string, port: number, tls: boolean): string;
  /** uWS's text of the peer address recorded when `res`'s connection was accepted; undefined when none was. */
  uwsPeerAddress(res: HttpResponse): string | undefined;
}

/**
 * One uWS listener's recorded peer addresses. `addressOf` answers undefined whenever an address was not recorded
 * (recording could not start, or the response is finished): the caller then asks uWS, a getpeername.
 */
export class UwsPeerAddresses {
  private watching = false;

  constructor(
    private readonly hook: UwsPeerHook,
    private readonly binaryPath: string,
    /** Whether the listener is TLS (an SSLApp). */
    private readonly tls: boolean,
    /** Told when recording cannot start (the reason, one line). */
    private readonly onUnavailable: (why: string) => void,
  ) {}

  /**
   * Records the addresses of the connections `listenSocket` accepts from now on; called as soon as it listens, and
   * again for the listen socket of new TLS material (a new SSLApp, whose context is hooked then).
   */
  watch(listenSocket: us_listen_socket, port: number): void {
    const why = this.hook.watchUwsListener(listenSocket, this.binaryPath, port, this.tls);
    this.watching = why === '';
    if (why !== '') this.onUnavailable(why);
  }

  /** The address of an open response's connection in uWS's text form, or undefined. */
  addressOf(res: HttpResponse): string | undefined {
    return this.watching ? this.hook.uwsPeerAddress(res) : undefined;
  }
}

/**
 * The addon's hook when it is loaded, has it, and PORTCULLIS_PEER_ADDRESS_CACHE is not `off`; else null. It must
 * also say it takes the `tls` argument (`uwsPeerHookTls`): an older build would hook a TLS context as a plain one.
 */
export function uwsPeerHook(): UwsPeerHook | null {
  if (peerAddressCacheDisabled()) return null;
  const addon = nativeAddon as (typeof nativeAddon & Partial<UwsPeerHook> & { uwsPeerHookTls?: unknown }) | null;
  if (typeof addon?.watchUwsListener !== 'function' || typeof addon.uwsPeerAddress !== 'function') return null;
  if (addon.uwsPeerHookTls !== true) return null;
  return addon as UwsPeerHook;
}
