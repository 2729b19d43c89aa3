// The contract between the streaming proxy handler and whatever writes the client response (the uWS writer).

import type { RawHeaders } from './response-headers.js';

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
  end(): void;
  /** Before start(): answers `status` with `{"message":...}`; after: closes the client connection. */
  fail(status: number, message: string): void;
}
