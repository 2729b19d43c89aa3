// Loads uWebSockets.js once, after its environment is set, and tells whether the native binary or the JS fallback loaded.
import { ensureUwsEnv } from './uws-env.js';
import type * as UwsModule from 'uWebSockets.js';

export type Uws = typeof UwsModule;
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';

export interface LoadedUws {
  readonly uws: Uws;
  /** true when the native binary loaded (only it has getParts); false for the slow pure-JS fallback. */
  readonly native: boolean;
}

let loading: Promise<LoadedUws> | null = null;

export function loadUws(): Promise<LoadedUws> {
  if (loading === null) {
    ensureUwsEnv();
    loading = import('uWebSockets.js').then((mod) => {
      const uws = ((mod as unknown as { default?: Uws }).default ?? mod) as Uws;
      return { uws, native: typeof (uws as { getParts?: unknown }).getParts === 'function' };
    });
  }
  return loading;
}
