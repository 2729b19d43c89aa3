// Kong's answer to plain HTTP on a route whose protocols lack `http`: 426 with its message, or a redirect to https.
import type { ClientResponse } from '../server/engine.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';
import { ErrorBody, GATEWAY_MESSAGES, messageBody } from '../errors.js';
import { hostWithoutPort } from '../proxy/forwarded-headers.js';

/** Kong's 426 answer (kong.response.error, with the request id). */
const HTTPS_REQUIRED = new ErrorBody(GATEWAY_MESSAGES.httpsRequired);

const UPGRADE_BODY = Buffer.from(messageBody(GATEWAY_MESSAGES.httpsRequired));
const UPGRADE_HEADERS = [
  'content-type',
  'application/json; charset=utf-8',
  'content-length',
  String(UPGRADE_BODY.length),
  // As Kong: the client is told which protocol to switch to (the uWS writer leaves hop-by-hop headers out).
  'connection',
  'Upgrade',
  'upgrade',
  'TLS/1.2, HTTP/1.1',
];

/** `status` is the route's https_redirect_status_code: 426, or 301/302/307/308 with `Location: https://host/uri`. */
export function answerPlainHttp(writer: ClientResponse, snap: RequestSnapshot, status: number): void {
  const host = hostWithoutPort(snap.host);
  if (status === 426 || host === '') {
    // A gRPC request gets Kong's kong.response.error answer in gRPC form (grpc-status 3), which the writer makes.
    if (snap.grpc) return writer.sendError(426, HTTPS_REQUIRED);
    writer.start(426, UPGRADE_HEADERS, false);
    writer.data(UPGRADE_BODY);
    writer.end();
    return;
  }
  const target = snap.query === '' ? snap.url : `${snap.url}?${snap.query}`;
  writer.start(status, ['location', `https://${host}${target}`, 'content-length', '0'], true);
}
