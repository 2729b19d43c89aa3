// Concurrent multi-MiB uploads through the data plane arrive byte-exact, including at a slowly reading upstream
// (the body reader recycles its copy buffers; a buffer reused too early would corrupt another request's body).
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, Agent } from 'undici';
import {
  closeInOrder,
  simpleDocument,
  startPlane,
  startUpstream,
  type RunningPlane,
  type Upstream,
} from '../helpers/data-plane-harness.js';

const BODY_BYTES = 3 * 1024 * 1024;
const CLIENT_CHUNK = 256 * 1024;
const UPLOADS = 8;

const client = new Agent({ connections: UPLOADS });
let upstream: Upstream;
let gw: RunningPlane;

beforeAll(async () => {
  upstream = await startUpstream((req, res) => {
    const hash = createHash('sha256');
    let n = 0;
    const slow = req.url?.includes('slow') === true;
    req.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      n += chunk.length;
      if (slow) {
        // Read lazily so the gateway's upstream socket fills up and its writes wait for drain.
        req.pause();
        setImmediate(() => setImmediate(() => req.resume()));
      }
    });
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ n, sha: hash.digest('hex') }));
    });
  });
  gw = await startPlane(
    simpleDocument(`${upstream.url}/svc`, [{ name: 'up', paths: ['/up'] }], {
      gateway: { max_body_bytes: BODY_BYTES * 2 },
    }),
  );
});

afterAll(() => closeInOrder(gw, upstream, client));

async function upload(path: string, body: Buffer, chunked: boolean): Promise<{ n: number; sha: string }> {
  async function* chunks() {
    for (let off = 0; off < body.length; off += CLIENT_CHUNK) yield body.subarray(off, off + CLIENT_CHUNK);
  }
  const res = await request(`${gw.origin}${path}`, {
    dispatcher: client,
    method: 'POST',
    body: Readable.from(chunks()),
    headers: chunked ? {} : { 'content-length': String(body.length) },
  });
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as { n: number; sha: string };
}

describe('upload integrity', () => {
  it('delivers concurrent distinct uploads, sized and chunked, byte-exact to fast and slowly reading upstreams', async () => {
    for (let round = 0; round < 2; round++) {
      const bodies = Array.from({ length: UPLOADS }, () => randomBytes(BODY_BYTES));
      const results = await Promise.all(bodies.map((b, i) => upload(i % 2 === 0 ? '/up/fast' : '/up/slow', b, i % 4 >= 2)));
      for (let i = 0; i < UPLOADS; i++) {
        expect(results[i]!.n).toBe(BODY_BYTES);
        expect(results[i]!.sha).toBe(createHash('sha256').update(bodies[i]!).digest('hex'));
      }
    }
  }, 60_000);
});
