// Kong's gRPC answers: an HTTP status mapped to grpc-status and grpc-message (kong.response's table), as trailers-only headers.
import type { OutgoingHttpHeaders } from 'node:http2';
import type { UpstreamTrailers } from '../proxy/types.js';

/** Kong's HTTP_TO_GRPC_STATUS; other statuses fall back by class (5xx → 13, 4xx → 3, 2xx → 0, else 2). */
const HTTP_TO_GRPC: Readonly<Record<number, number>> = {
  200: 0,
  400: 3,
  401: 16,
  403: 7,
  404: 5,
  409: 6,
  429: 8,
  499: 1,
  500: 13,
  501: 12,
  503: 14,
  504: 4,
};

/** Kong's GRPC_MESSAGES: the grpc-message of an answer that carries no message of its own. */
const GRPC_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
] as const;

export const GRPC_CONTENT_TYPE = 'application/grpc';

/** Kong's test of a gRPC request (with HTTP/2, which the caller knows): the Content-Type starts with application/grpc. */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return contentType?.startsWith(GRPC_CONTENT_TYPE) === true;
}

export function grpcStatusOf(httpStatus: number): number {
  const mapped = HTTP_TO_GRPC[httpStatus];
  if (mapped !== undefined) return mapped;
  if (httpStatus >= 500 && httpStatus <= 599) return 13;
  if (httpStatus >= 400 && httpStatus <= 499) return 3;
  if (httpStatus >= 200 && httpStatus <= 299) return 0;
  return 2;
}

/**
 * The grpc-message of a gateway answer whose JSON body is `body`, as Kong's kong.response: `exit()` with
 * `{"message":...}` sends that message; `error()` (a body with a request_id) and a body without a string message (a
 * claim-error object) send the status's name.
 */
export function grpcMessageOf(body: string, grpcStatus: number): string {
  let message: unknown;
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (parsed.request_id === undefined) message = parsed.message;
  } catch {
    // not JSON: the status's name
  }
  return typeof message === 'string' ? percentEncoded(message) : GRPC_NAMES[grpcStatus]!;
}

/** grpc-message is percent-encoded UTF-8 (gRPC over HTTP/2): bytes outside printable ASCII, and '%'. */
function percentEncoded(text: string): string {
  return text.replace(/[^\x20-\x24\x26-\x7e]+/g, encodeURIComponent);
}

/** A trailers-only gRPC answer to a refused request: Kong keeps the HTTP status and adds grpc-status and grpc-message. */
export function grpcAnswerHeaders(status: number, body: string, requestId: string, wwwAuthenticate: string | null): OutgoingHttpHeaders {
  const grpcStatus = grpcStatusOf(status);
  const headers: OutgoingHttpHeaders = {
    ':status': status,
    'content-type': GRPC_CONTENT_TYPE,
    'content-length': 0,
    'grpc-status': String(grpcStatus),
    'grpc-message': grpcMessageOf(body, grpcStatus),
    'x-kong-request-id': requestId,
  };
  if (wwwAuthenticate !== null) headers['www-authenticate'] = wwwAuthenticate;
  return headers;
}

/** The upstream's trailers as the object sendTrailers() takes (names lower-case, repeated ones as lists). */
export function trailerHeaders(trailers: UpstreamTrailers): OutgoingHttpHeaders {
  const out = Object.create(null) as OutgoingHttpHeaders;
  if (trailers == null) return out;
  if (Array.isArray(trailers)) {
    for (let i = 0; i + 1 < trailers.length; i += 2) add(out, String(trailers[i]).toLowerCase(), String(trailers[i + 1]));
    return out;
  }
  for (const name of Object.keys(trailers)) {
    const value = (trailers as Record<string, string | string[] | undefined>)[name];
    if (value === undefined || name.charCodeAt(0) === 58 /* ':' */) continue;
    if (Array.isArray(value)) for (const v of value) add(out, name, v);
    else add(out, name, value);
  }
  return out;
}

function add(out: OutgoingHttpHeaders, name: string, value: string): void {
  const previous = out[name];
  if (previous === undefined) out[name] = value;
  else if (Array.isArray(previous)) previous.push(value);
  else out[name] = [String(previous), value];
}
