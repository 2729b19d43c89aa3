// The undici dispatch handler of one proxied request: streams the response to the Downstream, maps upstream errors to 502/504.
import type { Dispatcher } from 'undici';
import { GATEWAY_MESSAGES } from '../errors.js';
import { ClientAbortedError, ERROR_CODES, UpstreamReadTimeoutError } from '../portcullis-error.js';
import type { ReadTimeouts, TimedExchange } from './read-timeouts.js';
import type { Downstream, DownstreamListener, UpstreamTrailers } from './types.js';

/** Status and Kong message for an upstream failure that happened before the response started. */
export function classifyUpstreamError(error: Error): { status: number; message: string } {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
    case ERROR_CODES.upstreamReadTimeout:
      return { status: 504, message: GATEWAY_MESSAGES.timeout };
    case ERROR_CODES.payloadTooLarge:
      return { status: 413, message: GATEWAY_MESSAGES.payloadTooLarge };
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
      return { status: 400, message: GATEWAY_MESSAGES.badRequest };
  }
  return { status: 502, message: GATEWAY_MESSAGES.badGateway };
}

/** The abort reason of every upstream exchange whose client went away: one instance, no stack capture per abort. */
const CLIENT_GONE = new ClientAbortedError();
/** The abort reason of every exchange that ran past its read_timeout (read-timeouts.ts), likewise one instance. */
const READ_TIMED_OUT = new UpstreamReadTimeoutError();

export interface StreamHandlerHooks {
  /** Called once when the upstream exchange ends, with the error if it failed (null on success). */
  onUpstreamDone(error: Error | null): void;
  /** A body chunk the downstream sent or copied: its read buffer may be read into again (upstream-reads.ts). */
  onChunkCopied(chunk: Buffer): void;
}

/**
 * Implements undici's core handler calls (onConnect, onHeaders, onData, onComplete, onError) rather than the
 * controller API (onRequestStart, onResponseStart, ...): undici adapts the latter through a wrapper and a controller
 * per request and parses the response headers (and the empty trailers) into objects; the core calls hand over the
 * raw header list, which the writers read directly.
 *
 * It is also the exchange's node in the worker's read-timeout list (read-timeouts.ts) when `readTimeoutMs` > 0: from
 * the moment undici writes the request, each step the exchange makes (the request sent, response headers, a body
 * chunk, the client draining a paused response) stamps its progress.
 */
export class ProxyStreamHandler implements Dispatcher.DispatchHandler, DownstreamListener, TimedExchange {
  private abort: ((error?: Error) => void) | null = null;
  private resume: (() => void) | null = null;
  private done = false;
  progressAt = 0;
  sending = true;
  paused = false;
  prevTimed: TimedExchange | null = null;
  nextTimed: TimedExchange | null = null;

  constructor(
    private readonly downstream: Downstream,
    /** HEAD request: the response never has a body. */
    private readonly head: boolean,
    private readonly hooks: StreamHandlerHooks,
    private readonly timeouts: ReadTimeouts,
    /** The service's read_timeout (ms); 0 leaves timing to the pool (gRPC's HTTP/2 pools keep undici's). */
    readonly readTimeoutMs: number,
  ) {
    downstream.listener = this;
  }

  onConnect(abort: (error?: Error) => void): void {
    this.abort = abort;
    if (this.downstream.aborted) abort(CLIENT_GONE);
    else if (this.readTimeoutMs > 0) this.timeouts.watch(this);
  }

  /** undici wrote the whole request (at once for a request without a body): from here the upstream's pace counts. */
  onRequestSent(): void {
    this.sending = false;
    this.progressAt = this.timeouts.sweeps;
  }

  onHeaders(statusCode: number, headers: Buffer[], resume: () => void): boolean {
    this.resume = resume;
    // An answer before the upload ended (a refusal) is timed from here as well.
    this.sending = false;
    this.progressAt = this.timeouts.sweeps;
    if (statusCode < 200) return true; // 103 Early Hints: the final response follows on the same exchange
    if (this.downstream.aborted) {
      this.abort!(CLIENT_GONE);
      return true;
    }
    const noBody = this.head || statusCode === 204 || statusCode === 304;
    this.downstream.start(statusCode, headers, noBody);
    return true;
  }

  /** false pauses undici's parser until resume() (onDownstreamDrain). */
  onData(chunk: Buffer): boolean {
    this.progressAt = this.timeouts.sweeps;
    const downstream = this.downstream;
    if (!downstream.data(chunk)) {
      this.paused = true;
      return false;
    }
    if (downstream.copiesChunks) this.hooks.onChunkCopied(chunk);
    return true;
  }

  onComplete(trailers: UpstreamTrailers): void {
    this.downstream.end(trailers);
    this.finish(null);
  }

  onError(error: Error): void {
    if (!this.downstream.aborted) {
      const { status, message } = classifyUpstreamError(error);
      this.downstream.fail(status, message);
    }
    this.finish(error);
  }

  onDownstreamAbort(): void {
    if (this.done) return;
    this.abort?.(CLIENT_GONE);
  }

  onDownstreamDrain(): void {
    if (this.done) return;
    this.paused = false;
    this.progressAt = this.timeouts.sweeps;
    this.resume?.();
  }

  onReadTimeout(): void {
    if (!this.done) this.abort?.(READ_TIMED_OUT);
  }

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.timeouts.unwatch(this);
    this.hooks.onUpstreamDone(error);
  }
}
