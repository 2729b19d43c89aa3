// The contract of the route table: what the front end asks and what a match tells the proxy.
import type { CompiledRoute } from '../config/types.js';

export interface RouteQuery {
  /** Upper-case method. */
  readonly method: string;
  /** Host header as sent (may carry `:port`), or '' when absent. */
  readonly host: string;
  /** The port the gateway received the request on (used when Host has no port). */
  readonly listenPort: number;
  /** Path after normalizePath (no query string). */
  readonly path: string;
  /** The request came over TLS (absent = plain HTTP). */
  readonly tls?: boolean;
  /** The TLS server name the connection selected, lower-case; null/absent when none. */
  readonly sni?: string | null;
  /** First occurrence of a header, lower-case name (for route `headers` matching). */
  header(lowerCaseName: string): string | undefined;
}

export interface RouteMatch {
  readonly route: CompiledRoute;
  /** Upstream path per Kong's v0 rules (service path joined with the stripped request path), no query. */
  readonly upstreamPath: string;
  /** The matched path prefix for X-Forwarded-Prefix, or null when Kong would not send it. */
  readonly forwardedPrefix: string | null;
}

export interface RouteTable {
  match(query: RouteQuery): RouteMatch | null;
}
