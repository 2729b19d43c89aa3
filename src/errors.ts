// The one registry of messages a client can see: Kong's exact texts, and the JSON bodies built from them.

/** Messages of the jwt plugin's 401s (kong-reference §3). */
export const JWT_MESSAGES = {
  unauthorized: 'Unauthorized',
  multipleTokens: 'Multiple tokens provided',
  unrecognizableToken: 'Unrecognizable token',
  badTokenJson: 'Bad token; invalid JSON',
  badTokenAlg: 'Bad token; invalid alg',
  badTokenClaims: 'Bad token; invalid claims',
  badTokenSignature: 'Bad token; invalid signature',
  invalidAlgorithm: 'Invalid algorithm',
  invalidKeySecret: 'Invalid key/secret',
  invalidSignature: 'Invalid signature',
  noMandatoryClaim: (claim: string) => `No mandatory '${claim}' in claims`,
  invalidClaim: (claim: string) => `Invalid '${claim}' in claims`,
  noCredentials: (claim: string) => `No credentials found for given '${claim}'`,
  anonymousMissing: (anonymous: string) => `anonymous consumer ${anonymous} is configured but doesn't exist`,
  /** Policy extension: a verified token lacks the required scopes or roles (403, RFC 6750 insufficient_scope). */
  forbidden: 'Forbidden',
} as const;

/** Claim-check messages, used as values of the claim-error object body (`{"exp":"token expired"}`). */
export const CLAIM_MESSAGES = {
  mustBeNumber: 'must be a number',
  expired: 'token expired',
  notYetValid: 'token not valid yet',
  exceedsMaximum: 'exceeds maximum allowed expiration',
  /** `issuers` / `audiences` (policy extensions): `{"iss":"missing"}`, `{"aud":"not allowed"}`. */
  missing: 'missing',
  notAllowed: 'not allowed',
} as const;

/** Messages of responses the gateway itself makes (Kong's core and error handler texts). */
export const GATEWAY_MESSAGES = {
  noRoute: 'no Route matched with those values',
  noService: 'no Service found with those values',
  badGateway: 'An invalid response was received from the upstream server',
  unavailable: 'The upstream server is currently unavailable',
  timeout: 'The upstream server is timing out',
  unexpected: 'An unexpected error occurred',
  badRequest: 'Bad request',
  /** Sent with 505 by the addon's uWS connection hook (native/src/first_request.cc writes this text itself). */
  httpVersionNotSupported: 'HTTP version not supported',
  requestTimeout: 'Request timeout',
  lengthRequired: 'Length required',
  payloadTooLarge: 'Payload too large',
  uriTooLong: 'URI too long',
  headerTooLarge: 'Request header or cookie too large',
  /** Portcullis's own (Kong proxies upgrades): sent with 501. */
  websocketUnsupported: 'WebSocket upgrades are not supported',
  verifyQueueFull: 'Authentication is temporarily overloaded',
  /** Sent with 426 to plain HTTP on a route limited to https (Kong's runloop). */
  httpsRequired: 'Please use HTTPS protocol',
  /** gRPC routes (Kong's runloop): a gRPC request over HTTP/1.x gets 426, a non-gRPC request 415 ... */
  http2Required: 'Please use HTTP2 protocol',
  grpcRequired: 'Non-gRPC request matched gRPC route',
  /** ... and a gRPC request over plain h2c on a grpcs-only route HTTP 200 with grpc-status 1 (CANCELLED). */
  grpcsRequired: 'gRPC request matched gRPCs route',
} as const;

/** Compact JSON body `{"message":"..."}` as Kong's `kong.response.exit` writes it. */
export function messageBody(message: string): string {
  return JSON.stringify({ message });
}

/** Kong's `kong.response.error` JSON body, which carries the request id. */
export function errorBody(message: string, requestId: string): string {
  return errorBodyOf(message)(requestId);
}

/** errorBody for one fixed message with its JSON built once (a refusal answered often adds only the request id). */
export function errorBodyOf(message: string): (requestId: string) => string {
  const head = `{\n  "message":${JSON.stringify(message)},\n  "request_id":`;
  return (requestId) => `${head}${JSON.stringify(requestId)}\n}`;
}
