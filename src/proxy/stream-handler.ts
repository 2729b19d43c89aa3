// The undici dispatch handler of one proxied request: streams the response to the Downstream, maps upstream errors to 502/504.
import type { Dispatcher } from 'undici';
import { GATEWAY_MESSAGES } from '../errors.js';
import { ClientAbortedError, ERROR_CODES } from '../portcullis-error.js';
import type { Downstream, DownstreamListener, ResponseHeaders } from './types.js';

type Controller = Dispatcher.DispatchController;

/** Status and Kong message for an upstream failure that happened before the response started. */
export function classifyUpstreamError(error: Error): { status: number; message: string } {
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
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

export interface StreamHandlerHooks {
  /** Called once when the upstream exchange ends, with the error if it failed (null on success). */
  onUpstreamDone(error: Error | null): void;
}

export class ProxyStreamHandler implements Dispatcher.DispatchHandler, DownstreamListener {
  private controller: Controller | null = null;
  private done = false;

  constructor(
    private readonly downstream: Downstream,
    /** HEAD request: the response never has a body. */
    private readonly head: boolean,
    private readonly hooks: StreamHandlerHooks,
  ) {
    downstream.listener = this;
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.downstream.aborted) controller.abort(CLIENT_GONE);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: ResponseHeaders): void {
    this.controller = controller;
    if (this.downstream.aborted) {
      controller.abort(CLIENT_GONE);
      return;
    }
    const noBody = this.head || statusCode === 204 || statusCode === 304;
    this.downstream.start(statusCode, headers, noBody);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (!this.downstream.data(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.downstream.end();
    this.finish(null);
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (!this.downstream.aborted) {
      const { status, message } = classifyUpstreamError(error);
      this.downstream.fail(status, message);
    }
    this.finish(error);
  }

  onDownstreamAbort(): void {
    if (this.done) return;
    this.controller?.abort(CLIENT_GONE);
  }

  onDownstreamDrain(): void {
    if (!this.done) this.controller?.resume();
  }

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.hooks.onUpstreamDone(error);
  }
}
