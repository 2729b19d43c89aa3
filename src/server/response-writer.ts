// Writes one client response through uWS: gateway-made error bodies, or a streamed upstream response with backpressure.
import { headerName, headerObject, headerText, type RawHeaders } from '../proxy/response-headers.js';
import type { HttpResponse } from './uws-loader.js';
import { STATUS_TEXT } from './status-text.js';
import { attachBodyReader, SlabPool, type BodyReader, type DiscardSink } from './body-reader.js';
import { ClientAbortedError } from '../portcullis-error.js';
import type { ClientResponse, WriterShared } from './engine.js';
import { JSON_TYPE, KEEP_ALIVE_TIMEOUT_S, ResponseWriterBase, skipResponseHeader } from './response-common.js';
import { drainOverBound, lingerRemainingMs, planRefusal, RefusalPlan } from './refusal-policy.js';
import { AnswerCache } from './answer-bytes.js';
import type { ErrorBody } from '../errors.js';
import type { RequestIds } from '../pipeline/request-id.js';

export { KEEP_ALIVE_TIMEOUT_S };
const KEEP_ALIVE_VALUE = `timeout=${KEEP_ALIVE_TIMEOUT_S}`;
const KEEP_ALIVE_LINE = `\r\nKeep-Alive: ${KEEP_ALIVE_VALUE}`;

/**
 * The status line and the headers before X-Kong-Request-Id of a gateway-made answer (JSON, or no body), per status,
 * built on first use. uWS writes writeStatus's text verbatim after `HTTP/1.1 ` and ends it with CRLF, so the whole
 * head goes out in one native call: the same bytes as writeStatus plus one writeHeader per header.
 */
function buildHead(status: number, contentType: string): string {
  const type = contentType === '' ? '' : `\r\nContent-Type: ${contentType}`;
  return `${statusLine(status)}${type}\r\nX-Kong-Request-Id: `;
}
/** Built once for every status node:http names; read-only afterwards. */
const JSON_HEADS: readonly string[] = headsFor(JSON_TYPE);
const BARE_HEADS: readonly string[] = headsFor('');
function headsFor(contentType: string): string[] {
  const heads: string[] = [];
  for (const status of Object.keys(STATUS_TEXT)) heads[Number(status)] = buildHead(Number(status), contentType);
  return heads;
}
function headUpToRequestId(status: number, contentType: string): string {
  const heads = contentType === JSON_TYPE ? JSON_HEADS : contentType === '' ? BARE_HEADS : null;
  return heads?.[status] ?? buildHead(status, contentType);
}
/** The rest of a gateway-made answer's head after the request id (without extra headers). */
function headAfterRequestId(wwwAuthenticate: string | null, close: boolean): string {
  const challenge = wwwAuthenticate === null ? '' : `\r\nWWW-Authenticate: ${wwwAuthenticate}`;
  return close ? challenge : challenge + KEEP_ALIVE_LINE;
}

const EMPTY_CHUNK = Buffer.alloc(0);

/**
 * One uWS engine's write scratch, created with the engine and shared by its writers. cork() runs its callback
 * synchronously, so the writer and what it writes pass through these fields instead of a closure allocated per
 * write; the callbacks are bound once per instance.
 */
export class UwsWriteScratch {
  writer: UwsResponseWriter | null = null;
  chunk: Buffer = EMPTY_CHUNK;
  ok = true;
  /** A gateway-made response for `send`. */
  readonly made = {
    status: 0,
    body: '' as string | ErrorBody,
    contentType: '',
    wwwAuthenticate: null as string | null,
    close: false,
    /** Flat [name, value, ...] written after the standard headers, or null. */
    extra: null as readonly string[] | null,
  };
  /** The upstream's Via values (joined), set by relayedLines; undefined when it sent none. */
  via: string | undefined = undefined;
  /** Lower-case names of the headers relayedLines is reading (reused). */
  readonly names: string[] = [];
  /** Recycled request-body slabs (body-reader.ts). */
  readonly slabs = new SlabPool();
  /** Gateway-made answers as bytes: uWS reads a Buffer in place, where a string costs it a malloc, a pass and a copy. */
  readonly answers = new AnswerCache({ beforeId: headUpToRequestId, afterId: headAfterRequestId });

  readonly send = (): void => {
    const m = this.made;
    const w = this.writer!;
    const res = w.res;
    const extra = m.extra;
    if (extra === null) {
      const answer = this.answers.bytes(m.status, m.contentType, m.wwwAuthenticate, m.close, m.body, w.requestIdPrefix, w.requestIdCounter);
      if (answer !== null) {
        res.writeStatus(answer.head);
        res.end(answer.body, m.close);
        return;
      }
    }
    let head = headUpToRequestId(m.status, m.contentType) + w.requestId + headAfterRequestId(m.wwwAuthenticate, m.close);
    if (extra !== null) {
      for (let i = 0; i < extra.length; i += 2) head += `\r\n${extra[i]!}: ${extra[i + 1]!}`;
      m.extra = null;
    }
    res.writeStatus(head);
    res.end(w.madeText(m.body), m.close);
  };
  /**
   * The answer of a lingering close, written whole through writeStatus: uWS 20.43 cannot half-close (its
   * end(body, true) shuts down and closes at once, so unread body bytes reset the connection and the answer is
   * lost), and after end() the response can no longer be closed from JS. writeStatus writes its text verbatim and
   * leaves the response open, so it can be closed once lingering ends. uWS appends CRLF after the text: harmless
   * after a `Connection: close` response (clients stop reading at Content-Length).
   */
  readonly raw = (): void => {
    const w = this.writer!;
    const m = w.made!;
    let head = `${headUpToRequestId(m.status, m.contentType)}${w.requestId}\r\n`;
    if (m.wwwAuthenticate !== null) head += `WWW-Authenticate: ${m.wwwAuthenticate}\r\n`;
    const body = w.madeText(m.body);
    w.res.writeStatus(`${head}Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  };
  readonly data = (): void => {
    this.ok = this.writer!.writeChunk(this.chunk);
  };
  readonly end = (): void => {
    this.writer!.finishNow();
  };
}

// undici decodes upstream header bytes as latin1 and uWS writes JS strings as UTF-8: a head holding such text goes as
// the original bytes. Only relayed text can hold it (the status line, names, the gateway's own Via (WriterShared.via),
// request id and Keep-Alive are ASCII), so only that is scanned, not the whole head.
const NON_ASCII = /[^\x00-\x7f]/;

/** Beyond this many headers, repeated names are grouped through an object instead of a pairwise scan. */
const SCAN_MAX_PAIRS = 32;
/**
 * `\r\nname: value` for each relayed header: lower-case names, repeated names together at their first position
 * (the order undici's parseHeaders gave), hop-by-hop and engine-written headers left out, Via kept aside.
 */
function relayedLines(raw: RawHeaders, scratch: UwsWriteScratch): string {
  scratch.via = undefined;
  const n = raw.length;
  if (n > SCAN_MAX_PAIRS * 2) return relayedLinesOf(headerObject(raw), scratch);
  const names = scratch.names;
  for (let i = 0; i < n; i += 2) names[i] = headerName(raw[i]!);
  let lines = '';
  for (let i = 0; i < n; i += 2) {
    const name = names[i]!;
    if (skipResponseHeader(name)) {
      if (name === 'via') scratch.via = scratch.via === undefined ? headerText(raw[i + 1]!) : `${scratch.via}, ${headerText(raw[i + 1]!)}`;
      continue;
    }
    let first = true;
    for (let j = 0; j < i; j += 2) {
      if (names[j] === name) {
        first = false;
        break;
      }
    }
    if (!first) continue; // written with its first occurrence
    lines += `\r\n${name}: ${headerText(raw[i + 1]!)}`;
    for (let j = i + 2; j < n; j += 2) if (names[j] === name) lines += `\r\n${name}: ${headerText(raw[j + 1]!)}`;
  }
  return lines;
}

function relayedLinesOf(headers: Record<string, string | string[]>, scratch: UwsWriteScratch): string {
  let lines = '';
  for (const name in headers) {
    const value = headers[name]!;
    if (skipResponseHeader(name)) {
      if (name === 'via') scratch.via = typeof value === 'string' ? value : value.join(', ');
      continue;
    }
    if (typeof value === 'string') lines += `\r\n${name}: ${value}`;
    else for (let i = 0; i < value.length; i++) lines += `\r\n${name}: ${value[i]!}`;
  }
  return lines;
}

/** The value of a header sent exactly once (lower-case name), else null. */
function singleHeader(raw: RawHeaders, lowerName: string): string | null {
  let found: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length !== lowerName.length || headerName(name) !== lowerName) continue;
    if (found !== null) return null;
    found = headerText(raw[i + 1]!);
  }
  return found;
}

function statusLine(status: number): string {
  return STATUS_TEXT[status] ?? `${status} Unknown`;
}

/** A gateway-made answer held while the body drains or the connection lingers. */
interface MadeResponse {
  readonly status: number;
  readonly body: string | ErrorBody;
  readonly contentType: string;
  readonly wwwAuthenticate: string | null;
}

const enum Refusing {
  No,
  Draining,
  Lingering,
}

export class UwsResponseWriter extends ResponseWriterBase implements ClientResponse, DiscardSink {
  /** The request body being read, if any: while unread, gateway-made responses close the connection. */
  body: BodyReader | null = null;
  /** Headers to write with the first body bytes (with the base's `status`). */
  private headers: RawHeaders | null = null;
  private headWritten = false;
  /** HEAD/204/304: end without a body; HEAD keeps the upstream's Content-Length. */
  private headersNoBody = false;
  private headersContentLength: string | null = null;
  /** Declared body length (tryEnd), -1 for chunked. */
  private total = -1;
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  private writableArmed = false;
  /** The answer waiting for the body to drain (Draining) or already written (Lingering). */
  made: MadeResponse | null = null;
  private refusing = Refusing.No;
  private discarded = 0;
  private lingerStart = 0;
  private lastDataAt = 0;
  private lingerTimer: NodeJS.Timeout | null = null;
  /**
   * Still inside uWS's request handler, which corks the socket around it: writes need no cork() of their own, and
   * uWS wants an abort handler only on a response still open when the handler returns (leaveHandler).
   */
  private inHandler = true;

  constructor(
    readonly res: HttpResponse,
    requestIds: RequestIds,
    shared: WriterShared,
    /** The engine's scratch (cork callbacks, header names, body slabs). */
    private readonly scratch: UwsWriteScratch,
  ) {
    super(requestIds, shared);
  }

  /**
   * The engine's request handler returned. A response answered inside it (a refusal) never registered an abort
   * handler: that saves a closure and a native call per refused request.
   */
  leaveHandler(): void {
    this.inHandler = false;
    // A complete response was ended or closed, except a lingering answer: its connection stays open until closed.
    if (!this.finished || this.refusing === Refusing.Lingering) this.res.onAborted(() => this.onAborted());
  }

  private onAborted(): void {
    this.aborted = true;
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    const body = this.body;
    if (body !== null) {
      body.resActive = false;
      body.fail(new ClientAbortedError());
    }
    if (this.finished) return;
    this.complete();
    this.listener?.onDownstreamAbort();
  }

  /**
   * A complete response made by the gateway (errors, denials); safe to call from any context. With body bytes
   * still to come it drains them first or answers and lingers (refusal-policy.ts), so a client that writes its
   * whole body before reading still gets the answer.
   */
  send(status: number, body: string | ErrorBody, contentType: string, wwwAuthenticate: string | null = null): void {
    if (this.finished || this.started) return;
    this.started = true;
    this.begin(status, body);
    const reader = this.body;
    const pending = reader !== null && !reader.ended && !this.aborted;
    const refusal = this.shared.refusal;
    const plan = planRefusal(pending, pending ? reader.remaining() : 0, this.closeConnection || this.shared.draining, refusal);
    if (plan === RefusalPlan.AnswerNow) {
      this.sendNow(status, body, contentType, wwwAuthenticate, this.closeConnection || this.shared.draining);
      return;
    }
    this.made = { status, body, contentType, wwwAuthenticate };
    this.refusing = Refusing.Draining;
    reader!.discard(this);
    if (plan === RefusalPlan.AnswerThenLinger && this.refusing === Refusing.Draining) this.linger();
  }

  private sendNow(status: number, body: string | ErrorBody, contentType: string, wwwAuthenticate: string | null, close: boolean): void {
    const scratch = this.scratch;
    const m = scratch.made;
    m.status = status;
    m.body = body;
    m.contentType = contentType;
    m.wwwAuthenticate = wwwAuthenticate;
    m.close = close;
    scratch.writer = this;
    if (this.inHandler) scratch.send();
    else this.res.cork(scratch.send);
    this.complete();
  }

  /** DiscardSink: a chunk of a refused request's body arrived and was dropped. */
  onDiscarded(bytes: number, isLast: boolean): void {
    if (this.aborted) return;
    if (this.refusing === Refusing.Draining) {
      this.discarded += bytes;
      if (isLast) {
        const m = this.made!;
        this.made = null;
        this.refusing = Refusing.No;
        this.sendNow(m.status, m.body, m.contentType, m.wwwAuthenticate, this.shared.draining);
      } else if (drainOverBound(this.discarded, this.shared.refusal)) this.linger();
      return;
    }
    if (this.refusing !== Refusing.Lingering) return;
    this.lastDataAt = this.shared.now();
    // The whole body was read: nothing unread is left to turn the close into a reset. Closed off this call
    // stack: uWS corks around onData and would drop the answer still in its cork buffer.
    if (isLast) this.armLinger(0);
  }

  /** Answers now with `Connection: close` and keeps discarding until the body ends or lingering times out. */
  private linger(): void {
    this.refusing = Refusing.Lingering;
    const scratch = this.scratch;
    scratch.writer = this;
    if (this.inHandler) scratch.raw();
    else this.res.cork(scratch.raw);
    const now = this.shared.now();
    this.lingerStart = now;
    this.lastDataAt = now;
    this.complete();
    this.armLinger(this.shared.refusal.lingeringTimeoutMs);
  }

  private armLinger(ms: number): void {
    if (this.lingerTimer !== null) clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.onLingerTimer(), Math.max(0, ms));
  }

  private onLingerTimer(): void {
    this.lingerTimer = null;
    if (this.aborted) return;
    const left = this.body?.ended ? 0 : lingerRemainingMs(this.lingerStart, this.lastDataAt, this.shared.now(), this.shared.refusal);
    if (left > 0) {
      this.armLinger(left);
      return;
    }
    this.refusing = Refusing.No;
    this.aborted = true; // onAborted runs inside close(); nothing may touch res afterwards
    this.res.close();
  }

  /** `expectedLength`: the declared Content-Length, -1 for chunked. */
  openBody(limit: number, expectedLength: number): BodyReader {
    const body = attachBodyReader(this.res, limit, expectedLength, this.scratch.slabs);
    this.body = body;
    return body;
  }

  sendJson(status: number, body: string, wwwAuthenticate: string | null = null): void {
    this.send(status, body, JSON_TYPE, wwwAuthenticate);
  }

  override sendError(status: number, body: ErrorBody): void {
    this.send(status, body, JSON_TYPE);
  }

  /** A complete response without a body or Content-Type, carrying `headers` (flat [name, value, ...]): the authorizer's allow. */
  sendHeaders(status: number, headers: readonly string[]): void {
    const made = this.scratch.made;
    made.extra = headers;
    this.send(status, '', '');
    made.extra = null;
  }

  start(status: number, headers: RawHeaders, noBody: boolean): void {
    if (this.finished) return;
    this.started = true;
    this.begin(status, null);
    this.headers = headers;
    const cl = singleHeader(headers, 'content-length');
    if (noBody) {
      this.headersNoBody = true;
      if (cl !== null && status !== 204) this.headersContentLength = cl;
      this.scratch.writer = this;
      this.res.cork(this.scratch.end);
      return;
    }
    if (cl !== null) this.total = Number(cl);
  }

  /**
   * uWS copies what it cannot send (end, write) or leaves it to us (tryEnd's false, kept as `pending`), so a chunk
   * data() returned true for is no longer read; the head went out with the first chunk.
   */
  override get copiesChunks(): boolean {
    return true;
  }

  data(chunk: Buffer): boolean {
    if (this.finished) return true;
    this.relayed(chunk.length);
    const scratch = this.scratch;
    scratch.writer = this;
    scratch.chunk = chunk;
    this.res.cork(scratch.data);
    scratch.chunk = EMPTY_CHUNK;
    return scratch.ok;
  }

  end(): void {
    if (this.finished) return;
    this.scratch.writer = this;
    this.res.cork(this.scratch.end);
  }

  /** Drops the client connection (mid-body upstream failure, or forced shutdown). */
  close(): void {
    if (this.finished) return;
    // Completed first: res.close() runs onAborted at once, which must find the response finished.
    this.complete();
    this.res.close();
    // Inside the handler no abort handler is registered yet: run what it would have.
    if (this.inHandler) this.onAborted();
  }

  protected override complete(): void {
    if (this.body !== null) this.body.resActive = false;
    super.complete();
  }

  /**
   * `closeHeader`: draining, and uWS's end(…, true) will not write the header for this response (streamed bodies).
   * The whole head goes out in one writeStatus call, as a gateway-made answer's does (see headUpToRequestId).
   */
  private writeHead(closeHeader: boolean): void {
    this.headWritten = true;
    const relayed = relayedLines(this.headers!, this.scratch);
    const via = this.scratch.via;
    const nonAscii = NON_ASCII.test(relayed) || (via !== undefined && NON_ASCII.test(via));
    let head = statusLine(this.status) + relayed;
    head += `\r\nVia: ${via === undefined ? this.shared.via : `${via}, ${this.shared.via}`}\r\nX-Kong-Request-Id: ${this.requestId}`;
    if (!this.shared.draining) head += KEEP_ALIVE_LINE;
    if (closeHeader) head += '\r\nConnection: close';
    this.res.writeStatus(nonAscii ? Buffer.from(head, 'latin1') : head);
    this.headers = null;
  }

  /** Inside cork. Returns false on backpressure. */
  writeChunk(chunk: Buffer): boolean {
    const res = this.res;
    if (!this.headWritten) {
      const whole = this.total === chunk.length;
      // A streamed body ends with end('') later, too late for uWS's own close header: a draining one says it now.
      this.writeHead(!whole && this.shared.draining);
      if (whole) {
        // The whole declared body in one chunk (the common small response): end() also honours draining's close.
        res.end(chunk, this.shared.draining);
        this.complete();
        return true;
      }
    }
    if (this.total >= 0) {
      const offset = res.getWriteOffset();
      const [ok, done] = res.tryEnd(chunk, this.total);
      if (done) {
        this.complete();
        return true;
      }
      if (!ok) {
        this.pending = chunk;
        this.pendingOffset = offset;
        this.armWritable();
        return false;
      }
      return true;
    }
    if (!res.write(chunk)) {
      this.armWritable();
      return false;
    }
    return true;
  }

  /** Inside cork: ends the response (HEAD/204/304, chunked end, or an empty declared body). */
  finishNow(): void {
    if (this.pending !== null) return; // onWritable completes the declared length
    const res = this.res;
    // uWS's end(…, closeConnection) writes a `Connection: close` header even after a streamed head, into the body.
    const headAlreadySent = this.headWritten;
    if (!headAlreadySent) this.writeHead(this.headersNoBody && this.shared.draining);
    if (this.headersNoBody) {
      // endWithoutBody(n) stalls a keep-alive connection in uWS 20.30, so HEAD's length goes in as a plain header.
      if (this.headersContentLength !== null) res.writeHeader('Content-Length', this.headersContentLength);
      res.endWithoutBody();
      this.complete();
      return;
    }
    if (this.total > 0) {
      // Upstream ended before its declared length: the client must not see a truncated body as complete.
      this.close();
      return;
    }
    res.end('', this.shared.draining && !headAlreadySent);
    this.complete();
  }

  private armWritable(): void {
    if (this.writableArmed) return;
    this.writableArmed = true;
    this.res.onWritable((offset) => this.onWritable(offset));
  }

  private onWritable(offset: number): boolean {
    if (this.finished) return true;
    const pending = this.pending;
    if (pending !== null) {
      const [ok, done] = this.res.tryEnd(pending.subarray(offset - this.pendingOffset), this.total);
      if (done) {
        this.pending = null;
        this.complete();
        return true;
      }
      if (!ok) return false;
      this.pending = null;
    }
    const listener = this.listener;
    if (listener !== null) queueMicrotask(() => listener.onDownstreamDrain());
    return true;
  }
}
