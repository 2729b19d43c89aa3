// Writes one client response through node:http (HTTP/1.x), with the refusal rules for request bodies still arriving.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { headerObject, type RawHeaders } from '../proxy/response-headers.js';
import type { DiscardSink } from './body-reader.js';
import type { ClientResponse, WriterShared } from './engine.js';
import { NodeWriterBase } from './node-writer-base.js';
import { drainOverBound, lingerRemainingMs, planRefusal, RefusalPlan } from './refusal-policy.js';
import { skipResponseHeader } from './response-common.js';
import type { RequestIds } from '../pipeline/request-id.js';

const WRITER = Symbol('portcullis.writer');
type Tagged = ServerResponse & { [WRITER]?: NodeResponseWriter };

// One listener function per event for every response (no closure per request); the writer rides on the response.
function onResponseClose(this: Tagged): void {
  this[WRITER]?.onClose();
}
function onResponseDrain(this: Tagged): void {
  const listener = this[WRITER]?.listener;
  if (listener) listener.onDownstreamDrain();
}

interface Refusal {
  readonly body: string;
  discarded: number;
  lingering: boolean;
  lingerStart: number;
  lastDataAt: number;
  timer: NodeJS.Timeout | null;
}

export class NodeResponseWriter extends NodeWriterBase implements ClientResponse, DiscardSink {
  /** A refused request's answer while its body drains or the connection lingers. */
  private refusal: Refusal | null = null;

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    requestIds: RequestIds,
    shared: WriterShared,
  ) {
    super(req, requestIds, shared);
    (res as Tagged)[WRITER] = this;
    res.on('close', onResponseClose);
    res.on('drain', onResponseDrain);
  }

  /** The response closed: after finishing, or because the client went away first. */
  onClose(): void {
    (this.res as Tagged)[WRITER] = undefined;
    if (this.refusal?.timer) clearTimeout(this.refusal.timer);
    this.refusal = null;
    this.abandon();
  }

  /**
   * A complete gateway-made response; `extra` is flat [name, value, ...] written after the standard headers. With
   * HTTP/1 body bytes still to come it follows refusal-policy.ts: discard them, then answer on a connection that stays
   * open; or answer with `Connection: close` at once and keep reading until the body ends or lingering times out, so
   * a client that writes its whole body first reads the answer, not a reset.
   */
  protected send(status: number, body: string, contentType: string, wwwAuthenticate: string | null, extra: readonly string[] | null): void {
    if (this.finished || this.started) return;
    this.started = true;
    this.begin(status, body);
    const res = this.res;
    res.statusCode = status;
    if (contentType !== '') res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.setHeader('X-Kong-Request-Id', this.requestId);
    if (wwwAuthenticate !== null) res.setHeader('WWW-Authenticate', wwwAuthenticate);
    if (extra !== null) for (let i = 0; i < extra.length; i += 2) res.setHeader(extra[i]!, extra[i + 1]!);
    const reader = this.body;
    const pending = reader !== null && !reader.ended && !this.aborted;
    const plan = planRefusal(pending, pending ? reader.remaining() : 0, this.closeConnection || this.shared.draining, this.shared.refusal);
    if (plan === RefusalPlan.AnswerNow) {
      this.askClose(this.closeConnection || (reader !== null && !reader.ended));
      this.complete();
      res.end(body);
      return;
    }
    this.refusal = { body, discarded: 0, lingerStart: 0, lastDataAt: 0, timer: null, lingering: false };
    if (plan === RefusalPlan.AnswerThenLinger) this.linger();
    reader!.discard(this);
  }

  /** DiscardSink: a chunk of a refused request's body was read and dropped (or, with isLast, the body ended). */
  onDiscarded(bytes: number, isLast: boolean): void {
    const r = this.refusal;
    if (r === null || this.aborted) return;
    if (!r.lingering) {
      r.discarded += bytes;
      if (isLast) {
        this.refusal = null;
        this.askClose(false);
        this.complete();
        this.res.end(r.body);
      } else if (drainOverBound(r.discarded, this.shared.refusal)) this.linger();
      return;
    }
    r.lastDataAt = this.shared.now();
    if (isLast) this.armLinger(0);
  }

  /** Writes the whole answer with `Connection: close` but leaves the response open: ending it closes the socket. */
  private linger(): void {
    const r = this.refusal!;
    r.lingering = true;
    this.askClose(true);
    this.complete();
    this.res.write(r.body);
    r.lingerStart = r.lastDataAt = this.shared.now();
    this.armLinger(this.shared.refusal.lingeringTimeoutMs);
  }

  private armLinger(ms: number): void {
    const r = this.refusal!;
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = setTimeout(() => this.onLingerTimer(), Math.max(0, ms));
  }

  private onLingerTimer(): void {
    const r = this.refusal!;
    r.timer = null;
    if (this.aborted) return;
    const ended = this.body!.ended;
    const left = ended ? 0 : lingerRemainingMs(r.lingerStart, r.lastDataAt, this.shared.now(), this.shared.refusal);
    if (left > 0) {
      this.armLinger(left);
      return;
    }
    this.refusal = null;
    // The body was read whole: end gracefully (FIN). Otherwise unread bytes remain and the socket is dropped.
    if (ended) this.res.end();
    else this.res.destroy();
  }

  start(status: number, raw: RawHeaders, noBody: boolean): void {
    if (this.finished) return;
    const headers = headerObject(raw);
    this.started = true;
    this.begin(status, null);
    const res = this.res;
    try {
      res.statusCode = status;
      let via: string | undefined;
      for (const name in headers) {
        const value = headers[name];
        if (value === undefined) continue;
        if (skipResponseHeader(name)) {
          if (name === 'via') via = typeof value === 'string' ? value : value.join(', ');
          continue;
        }
        res.setHeader(name, value);
      }
      const cl = headers['content-length'];
      if (typeof cl === 'string' && status !== 204 && status !== 304) {
        res.setHeader('Content-Length', cl);
        if (!noBody) this.total = Number(cl);
      }
      res.setHeader('Via', via === undefined ? this.shared.via : `${via}, ${this.shared.via}`);
      res.setHeader('X-Kong-Request-Id', this.requestId);
      this.askClose(this.unreadBodyCloses());
    } catch {
      // A header value Node refuses to write: the client must not get a half-made response.
      this.close();
      return;
    }
    if (noBody) {
      this.complete();
      this.discardUnread();
      res.end();
    }
  }

  /**
   * The upstream answered before the whole request body was read (an early 401 to an upload): when more is left than
   * refusal-policy.ts drains (or an unknown amount), this answer closes the connection.
   */
  private unreadBodyCloses(): boolean {
    const reader = this.body;
    if (reader === null || reader.ended || this.aborted) return false;
    const remaining = reader.remaining();
    return (
      remaining < 0 ||
      planRefusal(true, remaining, this.closeConnection || this.shared.draining, this.shared.refusal) !== RefusalPlan.DrainThenAnswer
    );
  }

  /**
   * The relayed answer is complete but the request body is not: keep reading it off the socket and drop it, or
   * node:http never parses the next request on this keep-alive connection (and a closing one resets unread bytes).
   */
  private discardUnread(): void {
    const reader = this.body;
    if (reader !== null && !reader.ended && !this.aborted) reader.discard(this);
  }

  data(chunk: Buffer): boolean {
    if (this.finished) return true;
    this.counted(chunk.length);
    return this.res.write(chunk);
  }

  end(): void {
    if (this.finished) return;
    if (this.truncated) {
      this.close();
      return;
    }
    this.complete();
    this.discardUnread();
    this.res.end();
  }

  close(): void {
    if (this.finished) return;
    this.complete();
    this.res.destroy();
  }

  /** Close after this response when asked, or while draining. */
  private askClose(close: boolean): void {
    if (close || this.shared.draining) this.res.setHeader('Connection', 'close');
  }
}
