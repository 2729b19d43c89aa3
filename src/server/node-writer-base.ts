// What the node engine's HTTP/1 and HTTP/2 response writers share: the request body, gateway answers, abort and truncation.
import { ClientAbortedError } from '../portcullis-error.js';
import type { WriterShared } from './engine.js';
import { type BodySource, NodeRequestBody } from './node-request-body.js';
import { JSON_TYPE, ResponseWriterBase } from './response-common.js';
import type { RequestIds } from '../pipeline/request-id.js';

/** Subclasses implement ClientResponse: start, data, end and close are theirs. */
export abstract class NodeWriterBase extends ResponseWriterBase {
  body: NodeRequestBody | null = null;
  /** Declared body length, -1 when none; and bytes written, to refuse presenting a truncated body as complete. */
  protected total = -1;
  protected written = 0;

  constructor(
    private readonly source: BodySource,
    requestIds: RequestIds,
    shared: WriterShared,
  ) {
    super(requestIds, shared);
  }

  openBody(limit: number, expectedLength: number): NodeRequestBody {
    const body = new NodeRequestBody(this.source, limit, expectedLength);
    this.body = body;
    return body;
  }

  sendJson(status: number, body: string, wwwAuthenticate: string | null = null): void {
    this.send(status, body, JSON_TYPE, wwwAuthenticate, null);
  }

  sendHeaders(status: number, headers: readonly string[]): void {
    this.send(status, '', '', null, headers);
  }

  /** A complete gateway-made response; `extra` is flat [name, value, ...] written after the standard headers. */
  protected abstract send(
    status: number,
    body: string,
    contentType: string,
    wwwAuthenticate: string | null,
    extra: readonly string[] | null,
  ): void;

  /** The client went away before the response finished: the body read and the upstream exchange stop. */
  protected abandon(): void {
    if (this.finished) return;
    this.aborted = true;
    this.body?.fail(new ClientAbortedError());
    this.complete();
    this.listener?.onDownstreamAbort();
  }

  /** Body bytes relayed from the upstream. */
  protected counted(bytes: number): void {
    this.written += bytes;
    this.relayed(bytes);
  }

  /** The upstream ended before its declared length: the client must not see a truncated body as complete. */
  protected get truncated(): boolean {
    return this.total > 0 && this.written < this.total;
  }
}
