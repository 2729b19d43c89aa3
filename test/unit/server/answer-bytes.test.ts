// The uWS engine's answer bytes: built once per distinct answer, the request id written in place, bounded.
import { describe, expect, it } from 'vitest';
import { ErrorBody } from '../../../src/errors.js';
import { createRequestIds, requestIdText } from '../../../src/pipeline/request-id.js';
import { AnswerCache, MAX_ANSWERS } from '../../../src/server/answer-bytes.js';

const parts = {
  beforeId: (status: number, contentType: string) => `${status} Å\r\nContent-Type: ${contentType}\r\nX-Kong-Request-Id: `,
  afterId: (www: string | null, close: boolean) =>
    `${www === null ? '' : `\r\nWWW-Authenticate: ${www}`}${close ? '' : '\r\nKeep-Alive: timeout=5'}`,
};
const ids = createRequestIds();
const JSON_TYPE = 'application/json';

function textOf(status: number, www: string | null, close: boolean, counter: number): string {
  return parts.beforeId(status, JSON_TYPE) + requestIdText(ids.prefix, counter) + parts.afterId(www, close);
}

describe('answer bytes', () => {
  it('are the text the writer would send, with each answer its own id, in the head and in an error body', () => {
    const cache = new AnswerCache(parts);
    const noRoute = new ErrorBody('no Route matched with those values');
    for (const counter of [1, 0xabcdef123, 2 ** 48 - 1]) {
      const denied = cache.bytes(401, JSON_TYPE, 'Bearer realm="Zoë"', false, '{"message":"Unauthorized"}', ids.prefix, counter)!;
      expect(denied.head.toString()).toBe(textOf(401, 'Bearer realm="Zoë"', false, counter));
      expect(denied.body.toString()).toBe('{"message":"Unauthorized"}');
      const missing = cache.bytes(404, JSON_TYPE, null, true, noRoute, ids.prefix, counter)!;
      expect(missing.head.toString()).toBe(textOf(404, null, true, counter));
      expect(missing.body.toString()).toBe(noRoute.text(requestIdText(ids.prefix, counter)));
    }
  });

  it('tells answers apart by status, type, challenge, close and body, and finds each again', () => {
    const cache = new AnswerCache(parts);
    const shapes: [number, string, string | null, boolean, string][] = [
      [401, JSON_TYPE, null, false, 'a'],
      [401, JSON_TYPE, 'Bearer', false, 'a'],
      [401, JSON_TYPE, 'Bearer', true, 'a'],
      [401, JSON_TYPE, 'Bearer', true, 'b'],
      [401, '', 'Bearer', true, 'b'],
      [403, JSON_TYPE, 'Bearer', true, 'b'],
    ];
    const first = shapes.map((s) => cache.bytes(...s, ids.prefix, 7));
    expect(new Set(first).size).toBe(shapes.length);
    // In another order, with equal strings that are other objects: the same entries.
    const again = [...shapes]
      .reverse()
      .map(([st, ct, www, close, body]) => cache.bytes(st, `${ct}`, www === null ? null : `${www}`, close, `${body}`, ids.prefix, 8));
    expect(again.reverse()).toEqual(first);
    for (const [i, [st, ct, www, close, body]] of shapes.entries()) {
      expect(first[i]!.head.toString()).toBe(parts.beforeId(st, ct) + requestIdText(ids.prefix, 8) + parts.afterId(www, close));
      expect(first[i]!.body.toString()).toBe(body);
    }
  });

  it(`keeps at most ${MAX_ANSWERS} answers and leaves the rest to the caller's text; another id prefix starts afresh`, () => {
    const cache = new AnswerCache(parts);
    for (let i = 0; i < MAX_ANSWERS; i++) expect(cache.bytes(401, JSON_TYPE, null, false, `body ${i}`, ids.prefix, 1)).not.toBeNull();
    expect(cache.bytes(401, JSON_TYPE, null, false, 'one too many', ids.prefix, 1)).toBeNull();
    expect(cache.bytes(401, JSON_TYPE, null, false, 'body 3', ids.prefix, 1)).not.toBeNull();
    const other = createRequestIds();
    const fresh = cache.bytes(401, JSON_TYPE, null, false, 'one too many', other.prefix, 2)!;
    expect(fresh.head.toString()).toBe(parts.beforeId(401, JSON_TYPE) + requestIdText(other.prefix, 2) + parts.afterId(null, false));
    expect(cache.bytes(401, JSON_TYPE, null, false, 'x', 'not twenty chars', 2)).toBeNull();
  });

  it('leaves an answer with a lone surrogate to the text path (uWS encodes it unlike Buffer.from), and caches pairs', () => {
    const cache = new AnswerCache(parts);
    for (let i = 0; i < 3; i++) {
      expect(cache.bytes(401, JSON_TYPE, 'Bearer realm="a\ud800b"', false, 'x', ids.prefix, i)).toBeNull();
      expect(cache.bytes(500, JSON_TYPE, null, false, '{"message":"\udfff"}', ids.prefix, i)).toBeNull();
    }
    const paired = cache.bytes(401, JSON_TYPE, 'Bearer realm="😀"', false, 'x', ids.prefix, 5)!;
    expect(paired.head.toString()).toBe(textOf(401, 'Bearer realm="😀"', false, 5));
  });
});
