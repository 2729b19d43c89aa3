// The seam between the HTTP engines (uWS, node) and the pipeline: what an engine hands over per request and per listener.
import type { ListenerSpec } from '../config/types.js';
import type { Downstream } from '../proxy/types.js';
import type { RequestSnapshot } from './request-snapshot.js';
import type { RefusalSettings } from './refusal-policy.js';
import type { TlsMaterial } from '../tls/tls-material.js';
import type { AccessRecord } from '../observability/access-log.js';
import type { FixedResponse } from './response-common.js';
import type { ErrorBody } from '../errors.js';
import type { RequestIds } from '../pipeline/request-id.js';

/** A request body as the proxy consumes it: chunks with backpressure towards the client. */
export interface RequestBody extends AsyncIterable<Buffer> {
  /** Every byte of the body has arrived. */
  readonly ended: boolean;
  /** Body bytes received so far (the access log's bytes in). */
  readonly received: number;
}

/** One client response, whichever engine writes it. */
export interface ClientResponse extends Downstream {
  readonly requestId: string;
  /** The response is complete (ended, or the connection closed by us). */
  readonly finished: boolean;
  /** Set for requests whose framing is in doubt: the gateway's own answer closes the connection. */
  closeConnection: boolean;
  /** The request body being read, if any: while unread, gateway-made responses close the connection. */
  readonly body: RequestBody | null;
  /**
   * Starts reading the request body (at most `limit` bytes; `expectedLength` is the declared Content-Length, -1 when
   * chunked); call once, synchronously in the request's first tick.
   */
  openBody(limit: number, expectedLength: number): RequestBody;
  /** A prebuilt gateway answer (admission refusals); one that distrusts the request's framing closes the connection. */
  sendFixed(response: FixedResponse): void;
  /** A complete response made by the gateway (errors, denials). */
  sendJson(status: number, body: string, wwwAuthenticate?: string | null): void;
  /** A complete Kong `kong.response.error` answer: `body` with this response's request id. */
  sendError(status: number, body: ErrorBody): void;
  /** A complete response without a body or Content-Type, carrying `headers` (flat [name, value, ...]): the authorizer's allow. */
  sendHeaders(status: number, headers: readonly string[]): void;
  /** 'authorizer' for requests on authorizer_listen (answered, never proxied); for the access log. */
  readonly mode: 'proxy' | 'authorizer';
  /** The response status: 0 until one is sent. */
  readonly status: number;
  /** What the access log records of this request; null when the access log is off. */
  access: AccessRecord | null;
}

/** Plain integer counters the writers bump; the data plane's counters object. */
export interface ResponseCounters {
  responses2xx: number;
  responses3xx: number;
  responses4xx: number;
  responses5xx: number;
  inFlight: number;
}

/** What every writer of one data plane shares. */
export interface WriterShared {
  readonly counters: ResponseCounters;
  /** Appended to the upstream's Via, e.g. `1.1 portcullis/0.1.0`: ASCII (the product's own version), never re-checked per response. */
  readonly via: string;
  /** Called once per request when it is over (finished or aborted). */
  onComplete(writer: ClientResponse): void;
  /** When true, responses ask the client to close the connection (draining). */
  readonly draining: boolean;
  /** Draining and lingering for answers made before the body was read (the current generation's; uWS engine). */
  readonly refusal: RefusalSettings;
  /** Monotonic milliseconds (lingering). */
  now(): number;
  /** Which listener's requests these are; absent = the proxy (the access log marks authorizer requests by it). */
  readonly mode?: 'proxy' | 'authorizer';
}

/** Per listener constants the pipeline reads (X-Forwarded-Port, Via); `listenPort` is set once bound. */
export interface ListenerContext {
  readonly spec: ListenerSpec;
  /** The bound port as text (X-Forwarded-Port). */
  listenPort: string;
  readonly via: string;
  /** `https` on an `ssl` listener (X-Forwarded-Proto). */
  readonly proto: 'http' | 'https';
  /** A claims_to_headers value with characters a header cannot carry was dropped (debug log). */
  readonly onUnsafeClaim?: (header: string, claim: string) => void;
}

/** What an engine calls for each request: the pipeline of the data plane. */
export interface PipelineEntry {
  readonly shared: WriterShared;
  /** Each writer takes its request's id from these. */
  readonly requestIds: RequestIds;
  /** Runs route → jwt → proxy for a request whose snapshot and writer the engine made. */
  handle(writer: ClientResponse, snap: RequestSnapshot, listener: ListenerContext): void;
}

/** One listener served by one engine. */
export interface EngineServer {
  /** Resolves with the bound port (port 0 = ephemeral). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting new connections; open ones keep being served. */
  stopListening(): void;
  /** Closes every remaining connection (in-flight responses see an abort). */
  closeAll(): void;
  /** New certificates or SNIs (TLS listeners only); established connections keep theirs. */
  updateTls?(material: TlsMaterial): Promise<void>;
}
