// The contract between the streaming proxy handler and whatever writes the client response (the uWS writer).

import type { RawHeaders } from './response-headers.js';

/** Trailers as undici hands them over: an object from an HTTP/2 upstream, a raw [name, value, ...] list from HTTP/1.1. */
export type UpstreamTrailers = Readonly<Record<string, string | string[] | undefined>> | readonly (Buffer | string)[] | null | undefined;

/** Told by the downstream when the client goes away or can take more bytes. */
export interface DownstreamListener {
  onDownstreamAbort(): void;
  onDownstreamDrain(): void;
}

export interface Downstream {
  /** The client connection went away; nothing can be written any more. */
  readonly aborted: boolean;
  /** The response status was committed (start() ran). */
  readonly started: boolean;
  listener: DownstreamListener | null;
  /** Commits status and headers (written with the first body bytes); noBody (HEAD, 204, 304) ends the response at once. */
  start(status: number, headers: RawHeaders, noBody: boolean): void;
  /** Writes a body chunk; false means backpressure: stop until onDownstreamDrain. */
  data(chunk: Buffer): boolean;
  /**
   * data() returning true means the chunk, and the head start() was given, were sent or copied: nothing reads their
   * bytes again, so the upstream read buffer under them may be read into again (uWS copies what it cannot send).
   */
  readonly copiesChunks: boolean;
  /** The body is complete; `trailers` are the upstream's (what only a gRPC response relays). */
  end(trailers?: UpstreamTrailers): void;
  /** Before start(): answers `status` with `{"message":...}`; after: closes the client connection. */
  fail(status: number, message: string): void;
}
