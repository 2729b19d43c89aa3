// Test helpers for the data plane: compile a config document, run a real node:http upstream and an in-process data plane.
import type http from 'node:http';
import net from 'node:net';
import pino from 'pino';
import { loadConfigText } from '../../src/config/load.js';
import { compileConfig } from '../../src/config/compile.js';
import type { CompiledConfig } from '../../src/config/types.js';
import { createDataPlane, type DataPlaneOptions } from '../../src/pipeline/data-plane.js';
import type { DataPlane } from '../../src/pipeline/types.js';
import { createThreadRuntime, type ThreadRuntime, type ThreadRuntimeOptions } from '../../src/pipeline/thread-runtime.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';

export function compileDocument(doc: unknown, generation = 1): CompiledConfig {
  const loaded = loadConfigText(JSON.stringify(doc), 'json', 'test');
  if (!loaded.ok) throw new Error(`bad test config: ${JSON.stringify(loaded.errors)}`);
  return compileConfig(loaded.config, generation);
}

/** The engine the key proxy suites run on: vitest's node-engine project runs them again with `node`. */
export const TEST_HTTP_ENGINE = process.env.PORTCULLIS_TEST_HTTP_ENGINE === 'node' ? 'node' : 'uws';

/** The engine that actually serves TEST_HTTP_ENGINE's listeners: without a uWS binary for this Node (Node 22+), node. */
export const SERVING_ENGINE: 'uws' | 'node' = TEST_HTTP_ENGINE === 'node' || !uwsBinaryAvailable() ? 'node' : 'uws';

/** One service at `url` with the given routes, proxy on 127.0.0.1:0 (served by TEST_HTTP_ENGINE). */
export function simpleDocument(
  url: string,
  routes: Array<Record<string, unknown>>,
  extra: { service?: Record<string, unknown>; gateway?: Record<string, unknown>; top?: Record<string, unknown> } = {},
): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: { proxy_listen: '127.0.0.1:0', admin_listen: 'off', workers: 1, http_engine: TEST_HTTP_ENGINE, ...extra.gateway },
    services: [{ name: 'svc', url, routes, ...extra.service }],
    ...extra.top,
  };
}

export { startUpstream, type Upstream } from './http-upstream.js';

/** Upstream that answers with a JSON echo of what it received (method, url, raw headers, body length). */
export function echoHandler(): http.RequestListener {
  return (req, res) => {
    let length = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      length += c.length;
      if (chunks.length < 64) chunks.push(c);
    });
    req.on('end', () => {
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        length,
        body: length <= 65536 ? Buffer.concat(chunks).toString('utf8') : '',
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

/** Every value the echo upstream received for `name` (lower case), in order, from its raw header list. */
export function echoedHeader(echo: { rawHeaders: string[] }, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < echo.rawHeaders.length; i += 2) {
    if (echo.rawHeaders[i]!.toLowerCase() === name) out.push(echo.rawHeaders[i + 1]!);
  }
  return out;
}

/** The engine actually serving a plane's first listener: node also where the uWS binary cannot load (Node ≥ 22). */
export function servedBy(running: RunningPlane): 'uws' | 'node' {
  return running.plane.info.httpEngines[0]!;
}

export interface RunningPlane {
  readonly plane: DataPlane;
  readonly port: number;
  readonly origin: string;
  close(): Promise<void>;
}

/** A test thread's runtime, as worker.ts builds one (silent logger). */
export function testRuntime(config: CompiledConfig, options: Partial<ThreadRuntimeOptions> = {}): ThreadRuntime {
  return createThreadRuntime(config.gateway, { logger: pino({ level: 'silent' }), ...options });
}

/** A data plane on its own runtime; close() closes both, the plane first (as the worker does). */
export async function startPlane(doc: unknown, options: Partial<DataPlaneOptions> = {}): Promise<RunningPlane> {
  const config = compileDocument(doc);
  const runtime = options.runtime ?? testRuntime(config);
  const plane = await createDataPlane(config, { ...options, runtime });
  const port = await plane.listen();
  const close = async (): Promise<void> => {
    await plane.close(1000);
    if (options.runtime === undefined) await runtime.close(1000);
  };
  return { plane, port, origin: `http://127.0.0.1:${port}`, close };
}

/** Closes each of a test file's servers and clients in order, skipping any that never started. */
export async function closeInOrder(...things: Array<{ close(): Promise<unknown> } | undefined>): Promise<void> {
  for (const thing of things) await thing?.close();
}

/** How long raw helpers wait for a first byte: a loaded shared machine can take longer than the idle wait to answer. */
const FIRST_BYTE_MS = 3000;

/**
 * Sends raw bytes on a fresh connection and returns everything received until the server closes or, once bytes
 * arrived, `waitMs` passes idle (FIRST_BYTE_MS while nothing has arrived).
 */
export function rawExchange(port: number, text: string | Buffer, waitMs = 300): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, out === '' ? Math.max(waitMs, FIRST_BYTE_MS) : waitMs);
    };
    socket.on('data', (d: Buffer) => {
      out += d.toString('latin1');
      arm();
    });
    socket.on('close', finish);
    socket.on('error', reject);
    socket.write(text);
    arm();
  });
}

/** Sends each request on one connection after the previous answer went idle for `waitMs` (FIRST_BYTE_MS before any byte). */
export async function rawConversation(port: number, texts: string[], waitMs = 150): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let current = '';
  socket.on('error', () => undefined); // a server closing mid-conversation is an outcome the caller asserts on
  socket.on('data', (d: Buffer) => {
    current += d.toString('latin1');
  });
  const answers: string[] = [];
  for (const text of texts) {
    current = '';
    socket.write(text);
    let seen = -1;
    while (seen !== current.length) {
      seen = current.length;
      await new Promise((r) => setTimeout(r, current === '' ? Math.max(waitMs, FIRST_BYTE_MS) : waitMs));
    }
    answers.push(current);
  }
  socket.destroy();
  return answers;
}
