// The uWS engine's gateway-made answers as bytes: each distinct answer built once, its request id written in place.
import { ErrorBody } from '../errors.js';
import { REQUEST_ID_COUNTER_DIGITS, REQUEST_ID_PREFIX_LENGTH, writeCounterHex } from '../pipeline/request-id.js';

/** Distinct answers kept per engine: a config's denials, error messages and challenges come to far fewer. */
export const MAX_ANSWERS = 256;

/** Where an id's counter digits start: after its generator's prefix. */
const COUNTER_OFFSET = REQUEST_ID_PREFIX_LENGTH;

/**
 * One gateway-made answer's bytes: `head` is what writeStatus takes (the status line and every header, uWS adds the
 * CRLF), with the request id at `headId`; `body` is what end takes, with the id at `bodyId` when it carries one.
 * The buffers are rewritten per answer: uWS copies what writeStatus and end are given before they return (into its
 * cork buffer, or what the socket does not take into its own), so nothing keeps them.
 */
export interface AnswerBytes {
  readonly head: Buffer;
  readonly headId: number;
  readonly body: Buffer;
  /** -1 when the body carries no request id. */
  readonly bodyId: number;
}

/** A cached answer: what it is made of, and its bytes (null: written as text, see build). */
interface Entry {
  readonly contentType: string;
  readonly wwwAuthenticate: string | null;
  readonly close: boolean;
  readonly bodyText: string | ErrorBody;
  readonly bytes: AnswerBytes | null;
}

/** A UTF-16 code unit of a surrogate pair standing alone. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** The head an answer writes, in two parts around its request id: exactly the text the uWS writer sends for it. */
export interface HeadParts {
  beforeId(status: number, contentType: string): string;
  afterId(wwwAuthenticate: string | null, close: boolean): string;
}

/**
 * The answers of one engine's writers, found by what they are made of: strings compare by content, an ErrorBody by
 * identity (each is built once per message). Ids of another generator (another prefix) start the cache afresh.
 */
export class AnswerCache {
  /** Per status, its answers, the last one used first. */
  private readonly byStatus: (Entry[] | undefined)[] = [];
  private count = 0;
  private prefix = '';

  constructor(private readonly parts: HeadParts) {}

  /**
   * The answer's bytes with this request's id written in, or null when the caller writes the text: the cache is
   * full, the id is not a plain one, or the answer holds a lone surrogate.
   */
  bytes(
    status: number,
    contentType: string,
    wwwAuthenticate: string | null,
    close: boolean,
    bodyText: string | ErrorBody,
    prefix: string,
    counter: number,
  ): AnswerBytes | null {
    if (prefix !== this.prefix) this.reset(prefix);
    const list = this.byStatus[status];
    let found: Entry | null = null;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const a = list[i]!;
        if (a.bodyText === bodyText && a.wwwAuthenticate === wwwAuthenticate && a.close === close && a.contentType === contentType) {
          found = a;
          if (i > 0) {
            list[i] = list[0]!;
            list[0] = a;
          }
          break;
        }
      }
    }
    if (found === null) {
      if (this.count >= MAX_ANSWERS || prefix.length !== COUNTER_OFFSET) return null;
      found = this.build(status, contentType, wwwAuthenticate, close, bodyText);
      this.count++;
      if (list === undefined) this.byStatus[status] = [found];
      else list.unshift(found);
    }
    const bytes = found.bytes;
    if (bytes === null) return null;
    writeCounterHex(bytes.head, bytes.headId + COUNTER_OFFSET, counter);
    if (bytes.bodyId >= 0) writeCounterHex(bytes.body, bytes.bodyId + COUNTER_OFFSET, counter);
    return bytes;
  }

  private build(status: number, contentType: string, wwwAuthenticate: string | null, close: boolean, bodyText: string | ErrorBody): Entry {
    // A stand-in id of the right length whose counter digits are overwritten per answer.
    const id = this.prefix + '0'.repeat(REQUEST_ID_COUNTER_DIGITS);
    const before = this.parts.beforeId(status, contentType);
    const head = before + id + this.parts.afterId(wwwAuthenticate, close);
    const body = bodyText instanceof ErrorBody ? bodyText.before + id + bodyText.after : bodyText;
    const entry = { contentType, wwwAuthenticate, close, bodyText };
    // uWS writes a lone surrogate as its three WTF-8 bytes and Buffer.from as U+FFFD's: such an answer stays text.
    if (LONE_SURROGATE.test(head) || LONE_SURROGATE.test(body)) return { ...entry, bytes: null };
    const headId = Buffer.byteLength(before);
    const bodyId = bodyText instanceof ErrorBody ? Buffer.byteLength(bodyText.before) : -1;
    return { ...entry, bytes: { head: Buffer.from(head), headId, body: Buffer.from(body), bodyId } };
  }

  private reset(prefix: string): void {
    this.byStatus.length = 0;
    this.count = 0;
    this.prefix = prefix;
  }
}
