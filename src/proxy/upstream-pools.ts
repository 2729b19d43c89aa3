// One keep-alive undici Pool per service origin and connect timeout (and read timeout for gRPC), per worker thread.
import { Pool } from 'undici';
import type { CompiledService } from '../config/types.js';
import { createGrpcPool, isGrpcService } from './grpc-pool.js';
import { createUpstreamOnRead, type UpstreamOnRead } from './upstream-reads.js';

export interface UpstreamPools {
  /** The pool for this service; created on first use. */
  get(service: CompiledService): Pool;
  /** Gracefully closes pools no service in `keep` uses (after a reload); in-flight requests finish. */
  retain(keep: readonly CompiledService[]): void;
  /** Closes every pool; in-flight requests are allowed to finish, then destroyed after timeoutMs. */
  close(timeoutMs: number): Promise<void>;
  /** A response body chunk was sent or copied: its read buffer may be read into again (upstream-reads.ts). */
  releaseChunk(chunk: Buffer): void;
}

export interface UpstreamPoolOptions {
  /** Connections per origin per thread. */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

/** Bytes an upstream socket buffers before Node stops reading it: two of Node's 64 KiB reads. */
const SOCKET_READ_HIGH_WATER_MARK = 128 * 1024;
/**
 * undici's own write side: a 64 KiB request body chunk makes socket.write() return false, which the uWS body
 * reader relies on before it recycles the chunk's slab (server/body-reader.ts, RECYCLE_MIN).
 */
const SOCKET_WRITE_HIGH_WATER_MARK = 64 * 1024;

interface SocketBuffers {
  highWaterMark: null;
  readableHighWaterMark: number;
  writableHighWaterMark: number;
  onread?: UpstreamOnRead;
}

function poolKey(s: CompiledService): string {
  const e = s.entity;
  // A gRPC service's origin can be an HTTP/1.1 service's too; its pool speaks HTTP/2 and times its streams itself.
  // HTTP/1.1 pools keep no read timer (read-timeouts.ts does), so services that differ only in read_timeout share one.
  return isGrpcService(s) ? `h2 ${s.origin}|${e.connect_timeout}|${e.read_timeout}` : `${s.origin}|${e.connect_timeout}`;
}

export function createUpstreamPools(options: UpstreamPoolOptions = {}): UpstreamPools {
  const pools = new Map<string, Pool>();
  // Pool lookup per request without building the key string: cached on the (immutable, per-generation) service object.
  const byService = new WeakMap<CompiledService, Pool>();
  const connections = options.connections ?? 128;
  const keepAliveTimeout = options.keepAliveTimeoutMs ?? 60_000;
  const upstreamOnRead = createUpstreamOnRead();

  function create(service: CompiledService): Pool {
    if (isGrpcService(service)) return createGrpcPool(service, connections, keepAliveTimeout);
    const e = service.entity;
    // Node's sockets take the Duplex stream options too; undici passes `connect` on to net.connect (after its own
    // highWaterMark, which would win over the per-side values, hence null), but its typings list only the
    // connection options.
    const connect: NonNullable<Pool.Options['connect']> & SocketBuffers = {
      timeout: e.connect_timeout,
      highWaterMark: null,
      readableHighWaterMark: SOCKET_READ_HIGH_WATER_MARK,
      writableHighWaterMark: SOCKET_WRITE_HIGH_WATER_MARK,
    };
    // TLS sockets read through their own layer; only a plain socket takes the larger reads.
    if (e.protocol === 'http') connect.onread = upstreamOnRead;
    return new Pool(service.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout,
      // read_timeout is the gateway's (read-timeouts.ts): undici's timers are an object per request that outlives a
      // scavenge. 0 turns them off.
      headersTimeout: 0,
      bodyTimeout: 0,
      // Node stops reading a socket (readStop, later readStart: two epoll_ctl calls) whenever one read fills its
      // buffer to the high-water mark; undici's 64 KiB equals one read, so every 64 KiB response paid that.
      connect,
    });
  }

  return {
    releaseChunk(chunk) {
      upstreamOnRead.release(chunk);
    },
    get(service) {
      let pool = byService.get(service);
      if (pool !== undefined) return pool;
      const key = poolKey(service);
      pool = pools.get(key);
      if (pool === undefined) {
        pool = create(service);
        pools.set(key, pool);
      }
      byService.set(service, pool);
      return pool;
    },
    retain(keep) {
      const used = new Set(keep.map(poolKey));
      for (const [key, pool] of pools) {
        if (used.has(key)) continue;
        pools.delete(key);
        pool.close().catch(() => undefined);
      }
    },
    async close(timeoutMs) {
      const all = [...pools.values()];
      pools.clear();
      let timer: NodeJS.Timeout | undefined;
      const graceful = Promise.all(all.map((p) => p.close().catch(() => undefined)));
      const deadline = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
      });
      const outcome = await Promise.race([graceful.then(() => 'done' as const), deadline]);
      clearTimeout(timer);
      if (outcome === 'timeout') await Promise.all(all.map((p) => p.destroy().catch(() => undefined)));
    },
  };
}
