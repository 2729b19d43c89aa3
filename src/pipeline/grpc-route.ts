// Kong's protocol checks of a gRPC route: HTTP/2 required (426), gRPC required (415), TLS for a grpcs-only route.
import type { GrpcRouteMode } from '../config/types.js';
import { ErrorBody, GATEWAY_MESSAGES } from '../errors.js';
import type { ClientResponse } from '../server/engine.js';
import { GRPC_CONTENT_TYPE, isGrpcContentType } from '../server/grpc-status.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';

const NOT_GRPC = new ErrorBody(GATEWAY_MESSAGES.grpcRequired);
const HTTP2_REQUIRED = new ErrorBody(GATEWAY_MESSAGES.http2Required);
/** Kong's Connection/Upgrade pair of its "Please use HTTP2 protocol" answer. */
const UPGRADE_HEADERS = ['content-type', 'application/json; charset=utf-8', 'connection', 'Upgrade', 'upgrade', 'HTTP/2'];
/** Kong's answer to plain h2c on a grpcs-only route: HTTP 200, grpc-status 1, trailers-only. */
const TLS_REQUIRED_HEADERS = ['content-type', GRPC_CONTENT_TYPE, 'grpc-status', '1', 'grpc-message', GATEWAY_MESSAGES.grpcsRequired];

/** Answers a request this gRPC route cannot take and returns true; false when it may be proxied. */
export function refuseOffGrpc(writer: ClientResponse, snap: RequestSnapshot, mode: GrpcRouteMode): boolean {
  if (!snap.grpc) {
    if (isGrpcContentType(snap.header('content-type'))) {
      // A gRPC request over HTTP/1.x (uWS listeners, or an HTTP/1.1 client of the node engine).
      const body = Buffer.from(HTTP2_REQUIRED.text(writer.requestId));
      writer.start(426, [...UPGRADE_HEADERS, 'content-length', String(body.length)], false);
      writer.data(body);
      writer.end();
    } else {
      writer.sendError(415, NOT_GRPC);
    }
    return true;
  }
  if (mode === 'tls-only' && !snap.tls) {
    writer.start(200, TLS_REQUIRED_HEADERS, true);
    return true;
  }
  return false;
}
