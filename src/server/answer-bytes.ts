// The uWS engine's gateway-made answers as bytes: each distinct answer built once, its request id written in place.
import { ErrorBody } from '../errors.js';
import { writeCounterHex } from '../pipeline/request-id.js';

/** Distinct answers kept per engine: a config's denials, error messages and challenges come to far fewer. */
export const MAX_ANSWERS = 256;

/** Where an id's 12 counter digits start: after its generator's 20-character prefix. */
const COUNTER_OFFSET = 20;
const ID_LENGTH = 32;

/**
 * One gateway-made answer's bytes: `head` is what writeStatus takes (the status line and every header, uWS adds the
 * CRLF), with the request id at `headId`; `body` is what end takes, with the id at `bodyId` when it carries one.
 * The buffers are rewritten per answer: uWS copies what writeStatus and end are given before they return (into its
 * cork buffer, or what the socket does not take into its own), so nothing keeps them.
 */
export interface AnswerBytes {
  readonly status: number;
  readonly contentType: string;
  readonly wwwAuthenticate: string | null;
  readonly close: boolean;
  readonly bodyText: string | ErrorBody;
  readonly head: Buffer;
  readonly headId: number;
  readonly body: Buffer;
  /** -1 when the body carries no request id. */
  readonly bodyId: number;
}

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
  private readonly byStatus: (AnswerBytes[] | undefined)[] = [];
  private count = 0;
  private prefix = '';

  constructor(private readonly parts: HeadParts) {}

  /**
   * The answer's bytes with this request's id written in, or null when the cache is full or the id is not a plain
   * one of `prefix` (the caller then writes the text).
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
    let found: AnswerBytes | null = null;
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
    writeCounterHex(found.head, found.headId + COUNTER_OFFSET, counter);
    if (found.bodyId >= 0) writeCounterHex(found.body, found.bodyId + COUNTER_OFFSET, counter);
    return found;
  }

  private build(
    status: number,
    contentType: string,
    wwwAuthenticate: string | null,
    close: boolean,
    bodyText: string | ErrorBody,
  ): AnswerBytes {
    // A stand-in id of the right length whose counter digits are overwritten per answer.
    const id = this.prefix + '0'.repeat(ID_LENGTH - COUNTER_OFFSET);
    const before = this.parts.beforeId(status, contentType);
    const head = Buffer.from(before + id + this.parts.afterId(wwwAuthenticate, close));
    const headId = Buffer.byteLength(before);
    let body: Buffer;
    let bodyId = -1;
    if (bodyText instanceof ErrorBody) {
      body = Buffer.from(bodyText.before + id + bodyText.after);
      bodyId = Buffer.byteLength(bodyText.before);
    } else {
      body = Buffer.from(bodyText);
    }
    return { status, contentType, wwwAuthenticate, close, bodyText, head, headId, body, bodyId };
  }

  private reset(prefix: string): void {
    this.byStatus.length = 0;
    this.count = 0;
    this.prefix = prefix;
  }
}
