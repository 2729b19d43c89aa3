// Puts uWebSockets.js's environment settings (max request-head size) in place before the native module first loads.

/** uWS's own default is 4 KiB, too small for real IdP tokens. */
export const DEFAULT_MAX_HEADER_BYTES = 16384;

/**
 * Sets UWS_HTTP_MAX_HEADERS_SIZE. uWS reads it once, when the native module is loaded into the
 * process, so call this on the main thread before any worker starts: a worker's process.env is a
 * private copy and writes there never reach the real environment.
 */
export function setUwsMaxHeaderBytes(bytes: number): void {
  process.env.UWS_HTTP_MAX_HEADERS_SIZE = String(Math.max(1024, Math.floor(bytes)));
}

/** Applies the default unless something (the supervisor) already set a value. */
export function ensureUwsEnv(): void {
  if (process.env.UWS_HTTP_MAX_HEADERS_SIZE === undefined) setUwsMaxHeaderBytes(DEFAULT_MAX_HEADER_BYTES);
}
