// The exact bytes of a relayed response head and body: what the fast relay path writes must not change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeInOrder,
  rawExchange,
  servedBy,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';
import { nativeAddon } from '../../src/native/addon.js';

/** Whether the addon switches uWS's `uWebSockets: 20` header off (PORTCULLIS_UWS_MARK=keep is not set in tests). */
const markSilenced = typeof nativeAddon?.silenceUwsMark === 'function';

const BIG = Buffer.alloc(65536 + 123, 'x');
for (let i = 0; i < BIG.length; i += 997) BIG[i] = 0x30 + ((i / 997) % 10);

/** `café` with é as the single byte 0xE9 (latin1), as an upstream may send it. */
const LATIN = `caf${String.fromCharCode(0xe9)}`;

let upstream: Upstream;
let gw: RunningPlane;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    req.resume();
    const url = req.url ?? '/';
    if (url === '/mixed') {
      // Raw bytes, so names keep their case, repeats stay apart and é is the one byte 0xE9.
      res.socket!.end(
        Buffer.from(
          [
            'HTTP/1.1 200 OK',
            'X-First: 1',
            'Set-Cookie: a=1; Path=/',
            `X-Latin: ${LATIN}`,
            'set-cookie: b=2; Path=/',
            'Via: 1.1 upstream',
            'Content-Type: text/plain',
            'Content-Length: 5',
            'Connection: close',
            '',
            'hello',
          ].join('\r\n'),
          'latin1',
        ),
      );
      return;
    }
    if (url === '/big') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(BIG.length) });
      res.end(BIG);
      return;
    }
    if (url === '/chunked') {
      res.writeHead(201, { 'content-type': 'text/plain', 'x-multi': ['one', 'two'] });
      res.write('first ');
      setTimeout(() => res.end('second'), 20);
      return;
    }
    res.writeHead(404);
    res.end();
  });
  gw = await startPlane(simpleDocument(upstream.url, [{ name: 'all', paths: ['/'] }]), { version: '9.9.9' });
});

afterAll(async () => {
  await closeInOrder(gw, upstream);
});

/** The head with the request id and Date values masked, and the body. */
function split(raw: string): { head: string; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw
    .slice(0, end)
    .replace(/^(X-Kong-Request-Id|x-kong-request-id): .*$/m, '$1: <id>')
    .replace(/^(Date|date): .*$/m, '$1: <date>');
  return { head, body: raw.slice(end + 4) };
}

function get(path: string, method = 'GET'): Promise<string> {
  return rawExchange(gw.port, `${method} ${path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n`);
}

describe('relayed response bytes', () => {
  it('writes repeated names together in first-seen order, latin1 values as their bytes, and Via appended', async () => {
    const raw = await get('/mixed');
    const { head, body } = split(raw);
    expect(body).toBe('hello');
    if (servedBy(gw) === 'uws') {
      expect(head).toBe(
        [
          'HTTP/1.1 200 OK',
          'x-first: 1',
          'set-cookie: a=1; Path=/',
          'set-cookie: b=2; Path=/',
          `x-latin: ${LATIN}`,
          'content-type: text/plain',
          'Via: 1.1 upstream, 1.1 portcullis/9.9.9',
          'X-Kong-Request-Id: <id>',
          'Keep-Alive: timeout=5',
          'Date: <date>',
          // uWS's own mark, switched off by the addon where it can (uws-mark.test.ts).
          ...(markSilenced ? [] : ['uWebSockets: 20']),
          'Content-Length: 5',
        ].join('\r\n'),
      );
    } else {
      expect(head).toBe(
        [
          'HTTP/1.1 200 OK',
          'x-first: 1',
          'set-cookie: a=1; Path=/',
          'set-cookie: b=2; Path=/',
          `x-latin: ${LATIN}`,
          'content-type: text/plain',
          'Content-Length: 5',
          'Via: 1.1 upstream, 1.1 portcullis/9.9.9',
          'X-Kong-Request-Id: <id>',
          'Date: <date>',
          'Connection: close',
        ].join('\r\n'),
      );
    }
  });

  it('relays a 64 KiB body byte for byte with its declared length', async () => {
    const raw = await get('/big');
    const { head, body } = split(raw);
    expect(head.toLowerCase()).toContain(`content-length: ${BIG.length}`);
    expect(Buffer.from(body, 'latin1').equals(BIG)).toBe(true);
  });

  it('streams a chunked body as it arrives, with repeated headers', async () => {
    const { head, body } = split(await get('/chunked'));
    expect(head).toMatch(/^HTTP\/1\.1 201 Created\r\n/);
    expect(head.toLowerCase()).toContain('x-multi: one\r\nx-multi: two');
    expect(head.toLowerCase()).toContain('transfer-encoding: chunked');
    expect(body).toBe('6\r\nfirst \r\n6\r\nsecond\r\n0\r\n\r\n');
  });

  it('answers HEAD with the upstream length and no body', async () => {
    const { head, body } = split(await get('/big', 'HEAD'));
    expect(head.toLowerCase()).toContain(`content-length: ${BIG.length}`);
    expect(body).toBe('');
  });
});
