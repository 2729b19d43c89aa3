// The undici Pool of one gRPC service: HTTP/2 upstream, h2c with prior knowledge for grpc, TLS with ALPN h2 for grpcs.
import { Pool } from 'undici';
import type { CompiledService } from '../config/types.js';

/** A grpc/grpcs service: its requests go upstream over HTTP/2 (gRPC needs HTTP/2 and trailers). */
export function isGrpcService(service: CompiledService): boolean {
  const p = service.entity.protocol;
  return p === 'grpc' || p === 'grpcs';
}

/**
 * undici's HTTP/2 client runs a request with a streamed body (every gRPC call) alone on its connection, so the pool
 * opens one connection per call in flight, up to `connections`. The certificate of a grpcs upstream is verified
 * against Node's trust store (NODE_EXTRA_CA_CERTS adds a private CA), as for https services.
 */
export function createGrpcPool(service: CompiledService, connections: number, keepAliveTimeout: number): Pool {
  const e = service.entity;
  // Prior knowledge: a plain grpc upstream speaks HTTP/2 from the first byte (no Upgrade round trip). The Pool hands
  // `connect` to undici's connector, which reads useH2c there (its typings list it only on Client).
  const connect: NonNullable<Pool.Options['connect']> & { useH2c: boolean } = { timeout: e.connect_timeout, useH2c: e.protocol === 'grpc' };
  return new Pool(service.origin, {
    connections,
    allowH2: true,
    keepAliveTimeout,
    headersTimeout: e.read_timeout,
    // Between two messages of a stream, as nginx's grpc_read_timeout in Kong.
    bodyTimeout: e.read_timeout,
    connect,
  });
}
