// The soak's mixed clients: keep-alive reuse, valid and refused uploads, slow readers, HEAD, expired tokens, faulty paths.
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import { REFUSED_MARKER } from './upstream.mjs';

export const KEY = 'soak-key';
export const SECRET = 'soak-secret-0123456789';
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sha256 = (b) => createHash('sha256').update(b).digest('hex');
function sign(payload, secret = SECRET) {
  const input = `${b64({ typ: 'JWT', alg: 'HS256' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
let serial = 0;
/** ~240 characters, like a login server's token; a fresh `jti` makes every one a cache miss. */
const freshToken = () =>
  sign({ iss: KEY, sub: `user-${serial % 5000}`, iat: now(), exp: now() + 3600, jti: `soak-${process.pid}-${++serial}-${randomInt(1e9)}` });
const cachedTokens = Array.from({ length: 200 }, () => freshToken());
const UPLOAD_SOURCE = randomBytes(4 * 1024 * 1024);

export const EXPECTED = {
  unauthorized: '{"message":"Unauthorized"}',
  expired: '{"exp":"token expired"}',
  badSignature: '{"message":"Invalid signature"}',
  tooLarge: '{"message":"Payload too large"}',
  badGateway: '{"message":"An invalid response was received from the upstream server"}',
};
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function createTally() {
  return {
    requests: 0,
    reused: 0,
    refused: { sent: 0, exact: 0, wrong: 0, lost: 0 },
    resets: { reused: 0, fresh: 0 },
    downloads: { ok: 0, bad: 0 },
    uploads: { ok: 0, bad: 0 },
    expected: { badGateway: 0, passthrough500: 0, cutMidBody: 0, head: 0, slow: 0, slowReaders: 0 },
    wrongStatus: 0,
    samples: [],
    filled: 0,
  };
}

/** One request; resolves with what came back or the error, never rejects. */
function exchange(agent, port, { method = 'GET', path, token = null, body = null, refused = false, slowRead = false }) {
  return new Promise((resolve) => {
    /** @type {import('node:http').OutgoingHttpHeaders} */
    const headers = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (refused) headers[REFUSED_MARKER] = '1';
    if (body !== null) headers['content-length'] = body.length;
    const req = http.request({ agent, host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => {
        chunks.push(c);
        if (slowRead) {
          res.pause();
          setTimeout(() => res.resume(), 20);
        }
      });
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), reused: req.reusedSocket, error: null }),
      );
      res.on('error', (e) =>
        resolve({ status: res.statusCode, reused: req.reusedSocket, error: /** @type {NodeJS.ErrnoException} */ (e).code ?? e.message }),
      );
      res.on('aborted', () => resolve({ status: res.statusCode, reused: req.reusedSocket, error: 'aborted' }));
    });
    req.on('error', (e) =>
      resolve({ status: 0, reused: req.reusedSocket, error: /** @type {NodeJS.ErrnoException} */ (e).code ?? e.message }),
    );
    // Node's client writes the whole body before it reads: the client that used to lose refused answers.
    req.end(body ?? undefined);
  });
}

const uploadBody = (min, max) => {
  const n = randomInt(min, max);
  const at = randomInt(0, UPLOAD_SOURCE.length - n);
  return UPLOAD_SOURCE.subarray(at, at + n);
};
const KIB = 1024;

/** Scenario table: [weight, run(agent, port, tally)]. */
/** @type {Array<[number, (a: import('node:http').Agent, p: number, t: any) => Promise<void>]>} */
const SCENARIOS = [
  [40, (a, p, t) => download(a, p, t, cachedTokens[randomInt(cachedTokens.length)], randomInt(1, 64 * KIB), false)],
  [25, (a, p, t) => download(a, p, t, freshToken(), randomInt(1, 16 * KIB), false)],
  [4, (a, p, t) => download(a, p, t, cachedTokens[0], randomInt(KIB * KIB, 2 * KIB * KIB), true)],
  [
    5,
    async (a, p, t) => {
      const r = await count(t, exchange(a, p, { method: 'HEAD', path: `/api/ok?size=${randomInt(1, 100000)}`, token: cachedTokens[1] }));
      if (expectStatus(t, r, 200, 'HEAD')) t.expected.head++;
    },
  ],
  [
    6,
    async (a, p, t) => {
      const body = uploadBody(100 * KIB, 2048 * KIB);
      const r = await count(t, exchange(a, p, { method: 'POST', path: '/api/upload', token: cachedTokens[2], body }));
      if (!expectStatus(t, r, 200, 'upload')) return;
      const got = JSON.parse(r.body.toString());
      if (got.sha256 === sha256(body) && got.length === body.length) t.uploads.ok++;
      else t.uploads.bad++;
    },
  ],
  [3, (a, p, t) => refusedUpload(a, p, t, null, '/api/upload', 401, EXPECTED.unauthorized)],
  [3, (a, p, t) => refusedUpload(a, p, t, sign({ iss: KEY, exp: now() - 60 }), '/api/upload', 401, EXPECTED.expired)],
  [2, (a, p, t) => refusedUpload(a, p, t, sign({ iss: KEY, exp: now() + 60 }, 'wrong-secret'), '/api/upload', 401, EXPECTED.badSignature)],
  [2, (a, p, t) => refusedUpload(a, p, t, null, '/nowhere', 404, null)],
  [
    1,
    (a, p, t) =>
      refusedUpload(a, p, t, cachedTokens[3], '/api/upload', 413, EXPECTED.tooLarge, MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 512 * KIB),
  ],
  [
    2,
    async (a, p, t) => {
      const withBody = randomInt(2) === 0;
      const r = await count(
        t,
        exchange(a, p, {
          method: withBody ? 'POST' : 'GET',
          path: '/api/reset',
          token: cachedTokens[4],
          body: withBody ? uploadBody(KIB, 600 * KIB) : null,
        }),
      );
      if (expectStatus(t, r, 502, 'reset') && r.body.toString() === EXPECTED.badGateway) t.expected.badGateway++;
    },
  ],
  [
    2,
    async (a, p, t) => {
      const r = await count(t, exchange(a, p, { path: '/api/500', token: cachedTokens[5] }));
      if (expectStatus(t, r, 500, '500') && r.body.toString() === 'upstream failure') t.expected.passthrough500++;
    },
  ],
  [
    2,
    async (a, p, t) => {
      const r = await count(t, exchange(a, p, { path: '/api/slow?size=2048', token: cachedTokens[6] }));
      if (expectStatus(t, r, 200, 'slow')) t.expected.slow++;
    },
  ],
  [
    1,
    async (a, p, t) => {
      // The upstream dies mid-body: the client must see the response cut, never a complete-looking one.
      const r = await exchange(a, p, { path: `/api/cut?size=${randomInt(64 * KIB, 512 * KIB)}`, token: cachedTokens[7] });
      t.requests++;
      if (r.error !== null) t.expected.cutMidBody++;
      else note(t, `cut response arrived complete (${r.status}, ${r.body.length} bytes)`);
    },
  ],
];
const TOTAL_WEIGHT = SCENARIOS.reduce((n, [w]) => n + w, 0);

/** A cheap request with a never-seen token to a route without a service (503 after the jwt stage): fills the caches. */
export async function fillCache(a, p, t) {
  const r = await count(t, exchange(a, p, { path: '/fill', token: freshToken() }));
  if (expectStatus(t, r, 503, 'fill')) t.filled++;
}

export function pickScenario() {
  let x = randomInt(TOTAL_WEIGHT);
  for (const [w, run] of SCENARIOS) {
    if (x < w) return run;
    x -= w;
  }
  return SCENARIOS[0][1];
}

function note(t, text) {
  t.wrongStatus++;
  if (t.samples.length < 20) t.samples.push(text);
}

async function count(t, pending) {
  const r = await pending;
  t.requests++;
  if (r.reused) t.reused++;
  if (r.error !== null) {
    if (r.reused) t.resets.reused++;
    else t.resets.fresh++;
    if (t.samples.length < 20) t.samples.push(`error ${r.error} (reused ${r.reused})`);
  }
  return r;
}

function expectStatus(t, r, status, what) {
  if (r.error !== null) return false;
  if (r.status === status) return true;
  note(t, `${what}: status ${r.status}, expected ${status}: ${r.body?.subarray(0, 120).toString()}`);
  return false;
}

async function download(a, p, t, token, size, slowRead) {
  const r = await count(t, exchange(a, p, { path: `/api/ok?size=${size}&offset=${randomInt(1e6)}`, token, slowRead }));
  if (!expectStatus(t, r, 200, 'download')) return;
  if (slowRead) t.expected.slowReaders++;
  if (sha256(r.body) === r.headers['x-body-sha256'] && r.body.length === size) t.downloads.ok++;
  else t.downloads.bad++;
}

async function refusedUpload(a, p, t, token, path, status, exact, min = 100 * KIB, max = 2048 * KIB) {
  t.refused.sent++;
  const r = await count(t, exchange(a, p, { method: 'POST', path, token, body: uploadBody(min, max), refused: true }));
  if (r.error !== null) {
    t.refused.lost++;
    return;
  }
  // The 404 body carries the request id (Kong's shape): rebuild it from the header.
  const expected = exact ?? `{\n  "message":"no Route matched with those values",\n  "request_id":"${r.headers['x-kong-request-id']}"\n}`;
  if (r.status === status && r.body.toString() === expected) t.refused.exact++;
  else {
    t.refused.wrong++;
    note(t, `refused ${path}: ${r.status} ${r.body.subarray(0, 120).toString()}`);
  }
}
