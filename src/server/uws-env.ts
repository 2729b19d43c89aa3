// uWebSockets.js's environment settings (max request-head size) as variables: the resolve step computes them, the worker spawn sets them.

/** uWS's own default is 4 KiB, too small for real IdP tokens. */
export const DEFAULT_MAX_HEADER_BYTES = 16384;

/** The variables uWS reads once, when its native module loads: UWS_HTTP_MAX_HEADERS_SIZE from max_header_bytes, at least 1024. */
export function uwsEnvironment(maxHeaderBytes: number = DEFAULT_MAX_HEADER_BYTES): Readonly<Record<string, string>> {
  return { UWS_HTTP_MAX_HEADERS_SIZE: String(Math.max(1024, Math.floor(maxHeaderBytes))) };
}
