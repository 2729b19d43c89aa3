// Loads uWebSockets.js (its environment comes from the worker spawn, see uws-env.ts) and tells whether the native binary or the JS fallback loaded.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as UwsModule from 'uWebSockets.js';

export type Uws = typeof UwsModule;
export type { HttpRequest, HttpResponse, TemplatedApp, us_listen_socket } from 'uWebSockets.js';

export interface LoadedUws {
  readonly uws: Uws;
  /** true when the native binary loaded (only it has getParts); false for the slow pure-JS fallback. */
  readonly native: boolean;
}

/**
 * Whether the package ships a binary for this platform and Node ABI (only ABI 115, Node 20, on our build): without
 * one, importing it prints a compatibility notice and serves with a slow pure-JS server, so it is not imported.
 */
export function uwsBinaryAvailable(): boolean {
  const path = uwsBinaryPath();
  return path !== null && existsSync(path);
}

/** Where the package keeps the binary for this platform and Node ABI (null when the package cannot be resolved). */
export function uwsBinaryPath(): string | null {
  try {
    const main = createRequire(import.meta.url).resolve('uWebSockets.js');
    return join(dirname(main), '..', 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  } catch {
    return null;
  }
}

/** The module loader keeps one instance per thread, so every call gets the same module. */
export async function loadUws(): Promise<LoadedUws> {
  const mod = await import('uWebSockets.js');
  const uws = ((mod as unknown as { default?: Uws }).default ?? mod) as Uws;
  return { uws, native: typeof (uws as { getParts?: unknown }).getParts === 'function' };
}
