// The floor of the gateway's own stack: uWS in front, an HTTP/1.1 client behind, and nothing of a gateway between.
// It relays any GET to argv[2] (an origin) with the client's headers and answers with the upstream's status, headers
// and body. No routing, authentication, forwarded headers, request ids, timeouts or body streaming: what #16's
// passthrough would cost if Portcullis did no work of its own. argv[3] is the client: `undici` (one pool with the
// gateway's settings and its direct upstream reads, from dist/) or `socket` (keep-alive net.Socket connections read
// through `onread`, the least a Node client can do: a request head written as one string, a response read for its
// Content-Length and nothing else). Both answer through the same writer: the whole head in one writeStatus call, as
// the gateway's writer does. Prints {"port":N}; exits when stdin closes (runner gone).
import net from 'node:net';
import { Pool } from 'undici';
import uWS from 'uWebSockets.js';
import { createUpstreamOnRead } from '../../dist/proxy/upstream-reads.js';
import { serveUntilStopped } from './serve-uws.mjs';

const origin = process.argv[2];
const client = process.argv[3] ?? 'undici';

// Hop-by-hop and framing headers: uWS writes its own Content-Length and keep-alive.
const SKIPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/** Answer `res` with a relayed response: uWS writes writeStatus's text after `HTTP/1.1 ` and ends it with CRLF. */
function answer(res, status, names, values, body) {
  let head = status;
  for (let i = 0; i < names.length; i++) head += `\r\n${names[i]}: ${values[i]}`;
  res.cork(() => {
    res.writeStatus(head).end(body);
  });
}

function answer502(res) {
  res.cork(() => {
    res.writeStatus('502 Bad Gateway').end('{"message":"An invalid response was received from the upstream server"}');
  });
}

/** The floor through undici: one pool with the gateway's settings (src/proxy/upstream-pools.ts), its core handler API. */
function undiciClient() {
  const pool = new Pool(origin, {
    connections: 128,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 0,
    bodyTimeout: 0,
    // Node's socket options, which undici passes on to net.connect (its typings list only its own).
    connect: /** @type {any} */ ({ highWaterMark: null, readableHighWaterMark: 128 * 1024, onread: createUpstreamOnRead() }),
  });

  /** One relayed response, written to `res` when it completes. */
  class Relay {
    constructor(res) {
      this.res = res;
      this.aborted = false;
      this.status = '';
      this.headers = null;
      this.chunks = [];
    }
    onConnect() {}
    onHeaders(statusCode, rawHeaders, _resume, statusText) {
      this.status = `${statusCode} ${statusText}`;
      this.headers = rawHeaders;
      return true;
    }
    onData(chunk) {
      this.chunks.push(chunk);
      return true;
    }
    onComplete() {
      if (this.aborted) return;
      const { headers, chunks } = this;
      const names = [];
      const values = [];
      for (let i = 0; i < headers.length; i += 2) {
        const name = headers[i].latin1Slice();
        if (SKIPPED.has(name.toLowerCase())) continue;
        names.push(name);
        values.push(headers[i + 1].latin1Slice());
      }
      answer(this.res, this.status, names, values, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    }
    onError() {
      if (!this.aborted) answer502(this.res);
    }
  }

  return {
    relay(res, method, path, headers) {
      const relay = new Relay(res);
      res.onAborted(() => {
        relay.aborted = true;
      });
      pool.dispatch({ method, path, headers }, relay);
    },
    close: () => pool.close(),
  };
}

/** The floor through plain sockets: the least any Node HTTP client does per request. */
function socketClient() {
  const { hostname, port } = new URL(origin);
  const idle = [];
  const all = new Set();
  const HEAD_END = Buffer.from('\r\n\r\n');

  /** One keep-alive connection: a request at a time, its response framed by Content-Length only. */
  class Connection {
    constructor() {
      this.res = null;
      this.aborted = false;
      this.pending = null; // bytes of the current response not yet complete (copied out of the read buffer)
      this.socket = net.connect({
        host: hostname,
        port: Number(port),
        onread: {
          buffer: Buffer.allocUnsafe(128 * 1024),
          callback: (n, buf) => {
            this.read(Buffer.from(buf.buffer, buf.byteOffset, n));
            return true;
          },
        },
      });
      this.socket.setNoDelay(true);
      this.socket.on('error', () => this.fail());
      this.socket.on('close', () => this.fail());
      all.add(this);
    }
    send(res, head) {
      this.res = res;
      this.aborted = false;
      this.socket.write(head, 'latin1');
    }
    read(bytes) {
      const data = this.pending === null ? bytes : Buffer.concat([this.pending, bytes]);
      const end = data.indexOf(HEAD_END);
      if (end < 0) return this.keep(data, bytes);
      const lines = data.latin1Slice(0, end).split('\r\n');
      let length = 0;
      const names = [];
      const values = [];
      for (let i = 1; i < lines.length; i++) {
        const colon = lines[i].indexOf(':');
        const name = lines[i].slice(0, colon);
        const value = lines[i].slice(colon + 1).trim();
        const lower = name.toLowerCase();
        if (lower === 'content-length') length = Number(value);
        else if (!SKIPPED.has(lower)) {
          names.push(name);
          values.push(value);
        }
      }
      const bodyStart = end + 4;
      if (data.length < bodyStart + length) return this.keep(data, bytes);
      this.pending = null;
      const { res, aborted } = this;
      this.res = null;
      idle.push(this);
      if (!aborted) answer(res, lines[0].slice(9), names, values, data.subarray(bodyStart, bodyStart + length));
    }
    /** Keep an incomplete response: a copy when it still sits in the reused read buffer. */
    keep(data, bytes) {
      this.pending = data === bytes ? Buffer.from(bytes) : data;
    }
    fail() {
      all.delete(this);
      const at = idle.indexOf(this);
      if (at >= 0) idle.splice(at, 1);
      const { res, aborted } = this;
      this.res = null;
      if (res !== null && !aborted) answer502(res);
    }
  }

  return {
    relay(res, method, path, headers) {
      let head = `${method} ${path} HTTP/1.1\r\n`;
      for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
      const connection = idle.pop() ?? new Connection();
      res.onAborted(() => {
        connection.aborted = true;
      });
      connection.send(res, `${head}\r\n`);
    },
    close: async () => {
      for (const connection of all) connection.socket.destroy();
    },
  };
}

const upstream = client === 'socket' ? socketClient() : undiciClient();

const app = uWS.App();
app.any('/*', (res, req) => {
  const headers = [];
  req.forEach((name, value) => {
    if (name !== 'connection' && name !== 'keep-alive') headers.push(name, value);
  });
  const query = req.getQuery();
  // Bodies are not relayed: the floor is measured on GETs only.
  upstream.relay(res, req.getCaseSensitiveMethod(), query ? `${req.getUrl()}?${query}` : req.getUrl(), headers);
});

serveUntilStopped(app, { name: 'floor-proxy', onStop: () => upstream.close() });
