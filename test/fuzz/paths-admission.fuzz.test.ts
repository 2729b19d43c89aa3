// Fuzzes path normalization and the request admission rules (snapshot header rules + admit) against plain reference models.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePath } from '../../src/routing/normalize-path.js';
import { ContentLength, recordHeader, RequestSnapshot } from '../../src/server/request-snapshot.js';
import { admit, REFUSALS } from '../../src/pipeline/admission.js';
import { corpus, RUNS } from './fuzz-settings.js';

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Kong's normalization written plainly: decode/upper-case escapes, escape what must be, then remove dot segments. */
function pathModel(raw: string): string | null {
  if (!raw.startsWith('/')) return null;
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '%') {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return null;
      const byte = parseInt(hex, 16);
      if (byte === 0) return null;
      const c = String.fromCharCode(byte);
      text += byte < 128 && UNRESERVED.test(c) ? c : `%${hex.toUpperCase()}`;
      i += 2;
    } else if (/^[A-Za-z0-9\-_.~!#$&'()*+,:;=?@[\]/]$/.test(ch)) text += ch;
    else text += encodeURIComponent(ch).toUpperCase();
  }
  const out: string[] = [];
  const segs = text.split('/').slice(1);
  let trailing = false;
  segs.forEach((s, i) => {
    const last = i === segs.length - 1;
    if (s === '..') out.pop();
    if (s === '..' || s === '.' || s === '') trailing ||= last;
    else out.push(s);
  });
  return out.length === 0 ? '/' : `/${out.join('/')}${trailing ? '/' : ''}`;
}

const pathUnit = fc.constantFrom(
  '/',
  '/',
  'a',
  'B',
  '.',
  '..',
  '%2e',
  '%2E',
  '%2F',
  '%41',
  '%7e',
  '%00',
  '%',
  '%4',
  ' ',
  '"',
  'é',
  '~',
  '?',
  '%c3%a9',
);
const rawPath = fc.oneof(
  fc.array(pathUnit, { maxLength: 14 }).map((u) => `/${u.join('')}`),
  fc.array(pathUnit, { maxLength: 6 }).map((u) => u.join('')),
);

describe('path normalization (fuzzed)', () => {
  it('agrees with the plain model', () => {
    fc.assert(
      fc.property(rawPath, (p) => {
        expect(normalizePath(p)).toBe(pathModel(p));
      }),
      { numRuns: RUNS, examples: corpus<string>('paths').map((s) => [s]) },
    );
  });

  it('never throws, and what it returns is a clean, stable request-target', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          rawPath,
          fc.string().map((s) => `/${s}`),
          fc.string({ unit: 'grapheme' }).map((s) => `/${s}`),
        ),
        (p) => {
          const out = normalizePath(p);
          if (out === null) return;
          expect(out.startsWith('/')).toBe(true);
          expect(out).not.toMatch(/\/\/|\/\.\.?(\/|$)/);
          expect(out).toMatch(/^(?:[A-Za-z0-9\-_.~!#$&'()*+,:;=?@[\]/]|%[0-9A-F]{2})*$/);
          expect(normalizePath(out)).toBe(out);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

type Header = [string, string];
const headerName = fc.constantFrom('host', 'content-length', 'transfer-encoding', 'authorization', 'x-other', 'upgrade');
const headerValue = fc.oneof(
  fc.constantFrom(
    'chunked',
    'Chunked',
    'chunked, gzip',
    'identity',
    '0',
    '12',
    '007',
    '-1',
    '1e3',
    '',
    '9999999999999999',
    'websocket',
    'x',
  ),
  fc.stringMatching(/^[0-9]{1,17}$/),
  fc.string({ maxLength: 12 }),
);
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 });

/** RFC 9112 framing, strictly: one Host, one plain Content-Length or one `chunked`, never both. */
function framingModel(list: Header[]): { malformed: boolean; contentLength: number; chunked: boolean } {
  const of = (n: string) => list.filter(([k]) => k === n).map(([, v]) => v);
  const cl = of('content-length');
  const te = of('transfer-encoding');
  const malformed =
    of('host').length > 1 ||
    cl.length > 1 ||
    te.length > 1 ||
    (cl.length > 0 && te.length > 0) ||
    te.some((v) => v.toLowerCase() !== 'chunked');
  const last = cl.at(-1);
  const contentLength = last === undefined ? -1 : /^[0-9]{1,15}$/.test(last) ? Number(last) : -2;
  return { malformed, contentLength, chunked: te.length > 0 };
}

describe('request admission (fuzzed)', () => {
  it('flags ambiguous framing exactly as the strict model does', () => {
    fc.assert(
      fc.property(headers, (list) => {
        const s = new RequestSnapshot(8000);
        for (const [k, v] of list) recordHeader(s, k, v);
        const m = framingModel(list);
        expect({ malformed: s.malformed, contentLength: s.contentLength, chunked: s.chunked }).toEqual(m);
        expect(s.authorizationCount).toBe(list.filter(([k]) => k === 'authorization').length);
      }),
      { numRuns: RUNS, examples: corpus<Header[]>('framing').map((h) => [h]) },
    );
  });

  it('refuses in the documented order: 413, 400 framing, 400 two Authorization, 414/400 head size', () => {
    fc.assert(
      fc.property(
        headers,
        fc.string({ maxLength: 40 }),
        fc.string({ maxLength: 20 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 16, max: 200 }),
        (list, url, query, maxBody, maxHead) => {
          const s = new RequestSnapshot(8000);
          s.url = `/${url}`;
          s.query = query;
          for (const [k, v] of list) recordHeader(s, k, v);
          const target = s.url.length + s.query.length;
          const expected =
            s.contentLength > maxBody
              ? REFUSALS.payloadTooLarge
              : s.malformed || s.contentLength === ContentLength.Unparseable
                ? REFUSALS.badFraming
                : s.authorizationCount > 1
                  ? REFUSALS.badRequest
                  : target + s.headerBytes > maxHead
                    ? target > maxHead
                      ? REFUSALS.uriTooLong
                      : REFUSALS.headerTooLarge
                    : null;
          expect(admit(s, { maxBodyBytes: maxBody, maxHeaderBytes: maxHead })).toBe(expected);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
