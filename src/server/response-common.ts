// What both engines' response writers share: which upstream headers are never relayed, the JSON type, status counting.
import type { ClientResponse, ResponseCounters, WriterShared } from './engine.js';
import type { DownstreamListener } from '../proxy/types.js';
import { type ErrorBody, messageBody } from '../errors.js';
import { requestIdText, type RequestIds } from '../pipeline/request-id.js';
import { performance } from 'node:perf_hooks';
import type { AccessRecord } from '../observability/access-log.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** A gateway-made JSON answer whose bytes never change (admission refusals): built once, written by sendFixed. */
export interface FixedResponse {
  readonly status: number;
  /** The `{"message":...}` body. */
  readonly body: string;
  /** The framing or the head cannot be trusted: the answer closes the connection (after lingering). */
  readonly close: boolean;
}

/**
 * The `Keep-Alive: timeout=N` hint on every response that keeps the connection, both engines: uWS closes a
 * connection idle for 10 s (compiled in, checked on a 4 s tick, so as early as 8 s). A client that honours the hint
 * (Node's agent retires sockets at timeout - 1 s) never sends on a connection the server is about to close; the node
 * engine keeps the same idle time so both answer alike.
 */
export const KEEP_ALIVE_TIMEOUT_S = 5;

/** Headers never copied from the upstream response (hop-by-hop, or ones the engine writes itself). */
export function skipResponseHeader(name: string): boolean {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'proxy-connection':
    case 'transfer-encoding':
    case 'upgrade':
    case 'te':
    case 'trailer':
    case 'content-length':
    case 'date':
    case 'via':
    case 'x-kong-request-id':
      return true;
  }
  return false;
}

export function countStatus(c: ResponseCounters, status: number): void {
  if (status < 300) c.responses2xx++;
  else if (status < 400) c.responses3xx++;
  else if (status < 500) c.responses4xx++;
  else c.responses5xx++;
}

/** The state and the engine-neutral steps of a response writer; each engine's writer extends it. */
export abstract class ResponseWriterBase {
  aborted = false;
  started = false;
  /** The response is complete (ended, or the connection closed by us). */
  finished = false;
  listener: DownstreamListener | null = null;
  /** Set for requests whose framing is in doubt: the gateway's own answer closes the connection. */
  closeConnection = false;
  /** 'authorizer' for requests on authorizer_listen (answered, never proxied); for the access log. */
  readonly mode: 'proxy' | 'authorizer';
  /** The response status: 0 until one is sent. */
  status = 0;
  /** What the access log records of this request; null when the access log is off. */
  access: AccessRecord | null = null;
  /** This request's id: the prefix of its generator and its counter (requestIdText). */
  readonly requestIdPrefix: string;
  readonly requestIdCounter: number;
  private requestIdString: string | null = null;

  constructor(
    ids: RequestIds,
    protected readonly shared: WriterShared,
  ) {
    this.mode = shared.mode ?? 'proxy';
    this.requestIdPrefix = ids.prefix;
    this.requestIdCounter = ids.next();
  }

  /** The request id's text, made when first read: a refusal the uWS engine answers writes it as bytes instead. */
  get requestId(): string {
    return (this.requestIdString ??= requestIdText(this.requestIdPrefix, this.requestIdCounter));
  }

  abstract sendJson(status: number, body: string, wwwAuthenticate?: string | null): void;

  sendError(status: number, body: ErrorBody): void {
    this.sendJson(status, body.text(this.requestId));
  }

  /** Downstream.copiesChunks: node's streams keep a written chunk until it is flushed. */
  get copiesChunks(): boolean {
    return false;
  }

  /** A prebuilt answer; one that distrusts the request's framing closes the connection. */
  sendFixed(response: FixedResponse): void {
    if (response.close) this.closeConnection = true;
    this.sendJson(response.status, response.body);
  }
  /** A complete response without a body or Content-Type, carrying `headers` (flat [name, value, ...]): the authorizer's allow. */
  abstract sendHeaders(status: number, headers: readonly string[]): void;
  /** Drops the client connection (mid-body upstream failure, or forced shutdown). */
  abstract close(): void;

  /** Before the response started: `status` with `{"message":...}`; after: the connection is dropped. */
  fail(status: number, message: string): void {
    if (this.finished) return;
    if (!this.started) {
      this.sendJson(status, messageBody(message));
      return;
    }
    this.close();
  }

  /** A gateway-made body as text: an ErrorBody with this response's request id. */
  madeText(body: string | ErrorBody): string {
    return typeof body === 'string' ? body : body.text(this.requestId);
  }

  /** Counts and records a response status: `madeBody` is a gateway-made body, null for an upstream response. */
  protected begin(status: number, madeBody: string | ErrorBody | null): void {
    countStatus(this.shared.counters, status);
    this.status = status;
    const access = this.access;
    if (access === null) return;
    if (madeBody !== null) access.bytesOut = Buffer.byteLength(this.madeText(madeBody));
    else {
      access.upstreamStatus = status;
      access.upstreamHeadersAt = performance.now();
    }
  }

  /** Body bytes relayed from the upstream (access log). */
  protected relayed(bytes: number): void {
    if (this.access !== null) this.access.bytesOut += bytes;
  }

  protected complete(): void {
    this.finished = true;
    this.shared.counters.inFlight--;
    this.shared.onComplete(this as unknown as ClientResponse);
  }
}
