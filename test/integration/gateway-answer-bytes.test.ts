// The exact bytes of the gateway's own answers on a keep-alive connection: the same each time, with each one's own id.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeInOrder,
  echoHandler,
  rawExchange,
  servedBy,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';
import { makeToken } from '../helpers/tokens.js';

let upstream: Upstream;
let gw: RunningPlane;

beforeAll(async () => {
  upstream = await startUpstream(echoHandler());
  gw = await startPlane(
    simpleDocument(upstream.url, [{ name: 'api', paths: ['/api'], plugins: [{ name: 'jwt', config: { realm: 'Zoë' } }] }], {
      top: {
        routes: [{ name: 'orphan', paths: ['/orphan'] }],
        consumers: [{ username: 'alice', jwt_secrets: [{ key: 'alice-key', algorithm: 'HS256', secret: 'right-secret' }] }],
      },
    }),
  );
});

afterAll(() => closeInOrder(gw, upstream));

const ID = /^[0-9a-f]{32}$/;

/** What uWS listeners send (request ids and Date masked): the realm's ë is UTF-8, read here as latin1. */
const UWS_BYTES = [
  'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\nX-Kong-Request-Id: <id>\r\n' +
    'WWW-Authenticate: Bearer realm="ZoÃ«"\r\nKeep-Alive: timeout=5\r\nDate: <date>\r\nContent-Length: 26\r\n\r\n' +
    '{"message":"Unauthorized"}',
  'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\nX-Kong-Request-Id: <id>\r\n' +
    'WWW-Authenticate: Bearer realm="ZoÃ«", error="invalid_token"\r\nKeep-Alive: timeout=5\r\nDate: <date>\r\n' +
    'Content-Length: 31\r\n\r\n{"message":"Invalid signature"}',
  'HTTP/1.1 404 Not Found\r\nContent-Type: application/json; charset=utf-8\r\nX-Kong-Request-Id: <id>\r\n' +
    'Keep-Alive: timeout=5\r\nDate: <date>\r\nContent-Length: 103\r\n\r\n' +
    '{\n  "message":"no Route matched with those values",\n  "request_id":"<id>"\n}',
  'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json; charset=utf-8\r\nX-Kong-Request-Id: <id>\r\n' +
    'Keep-Alive: timeout=5\r\nDate: <date>\r\nContent-Length: 103\r\n\r\n' +
    '{\n  "message":"no Service found with those values",\n  "request_id":"<id>"\n}',
];

/** An answer with its request id (header and body) and its Date masked; the ids it carried. */
function masked(raw: string): { text: string; ids: string[] } {
  const ids: string[] = [];
  const text = raw
    .replace(/(X-Kong-Request-Id: |"request_id":")([^\r"]*)/g, (_all, label: string, id: string) => {
      ids.push(id);
      return `${label}<id>`;
    })
    .replace(/\r\nDate: [^\r]*/, '\r\nDate: <date>');
  return { text, ids };
}

/** Sends each request on one connection once the previous answer (head and Content-Length body) is complete. */
async function answersOn(port: number, requests: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  let received = '';
  let wake: () => void = () => undefined;
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    wake();
  });
  const complete = (): number => {
    const end = received.indexOf('\r\n\r\n');
    const length = /\r\nContent-Length: (\d+)/i.exec(received.slice(0, end));
    return end >= 0 && length !== null && received.length >= end + 4 + Number(length[1]) ? end + 4 + Number(length[1]) : -1;
  };
  const answers: string[] = [];
  for (const request of requests) {
    socket.write(request);
    while (complete() < 0) await new Promise<void>((resolve) => (wake = resolve));
    answers.push(received.slice(0, complete()));
    received = received.slice(complete());
  }
  socket.destroy();
  return answers;
}

function get(path: string, headers: string[] = []): string {
  return [`GET ${path} HTTP/1.1`, 'Host: gw.test', ...headers, '', ''].join('\r\n');
}

const badToken = (sub: string) =>
  `Authorization: Bearer ${makeToken({ alg: 'HS256', typ: 'JWT' }, { iss: 'alice-key', sub }, 'wrong-secret')}`;

describe("the gateway's own answers", () => {
  it('are the same bytes each time on one connection, each with its own request id', async () => {
    const answers = await answersOn(gw.port, [
      get('/api/'),
      get('/api/'),
      get('/api/', [badToken('a')]),
      get('/api/', [badToken('b')]),
      get('/nowhere'),
      get('/nowhere'),
      get('/orphan'),
      get('/orphan'),
    ]);
    const seen = answers.map(masked);
    for (let i = 0; i < seen.length; i += 2) expect(seen[i + 1]!.text).toBe(seen[i]!.text);
    const ids = seen.flatMap((s) => s.ids);
    // The 404 and 503 bodies carry the header's id.
    for (const s of seen) for (const id of s.ids) expect(id).toBe(s.ids[0]);
    const distinct = [...new Set(ids)];
    expect(distinct).toHaveLength(8);
    for (const id of distinct) {
      expect(id).toMatch(ID);
      expect(id.slice(0, 20)).toBe(distinct[0]!.slice(0, 20));
    }
    const firsts = seen.filter((_, i) => i % 2 === 0).map((s) => s.text);
    // The node engine writes the same headers in node:http's order; the bodies are the same on both.
    expect(firsts.map((text) => text.slice(text.indexOf('\r\n\r\n')))).toEqual(
      UWS_BYTES.map((text) => text.slice(text.indexOf('\r\n\r\n'))),
    );
    if (servedBy(gw) === 'uws') expect(firsts).toEqual(UWS_BYTES);
  });

  it('close the connection the same way each time when the framing cannot be trusted', async () => {
    const request = get('/nowhere', ['Host: other.test']);
    const first = masked(await rawExchange(gw.port, request));
    const second = masked(await rawExchange(gw.port, request));
    expect(second.text).toBe(first.text);
    expect(first.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(first.text).toContain('\r\nConnection: close\r\n');
    expect(first.text).not.toContain('Keep-Alive');
    expect(first.ids[0]).toMatch(ID);
    expect(second.ids[0]).not.toBe(first.ids[0]);
  });
});
