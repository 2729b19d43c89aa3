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

/** Text JSON.stringify writes unchanged between its quotes; the gateway's request ids (hex) are such text. */
const PLAIN_JSON_TEXT = /^[\w.-]*$/;

/**
 * Kong's `kong.response.error` JSON body for one message, which carries the request id: built once, the id added per
 * answer. A plain id is quoted as it is (JSON.stringify of a short string costs more than the rest of a no-route
 * 404's body); the uWS engine writes its bytes in place between `before` and `after`.
 */
export class ErrorBody {
  /** The body up to the request id's first character, its opening quote included. */
  readonly before: string;
  /** The body after a plain request id: its closing quote and the end of the object. */
  readonly after = '"\n}';

  constructor(readonly message: string) {
    this.before = `{\n  "message":${JSON.stringify(message)},\n  "request_id":"`;
  }

  text(requestId: string): string {
    if (PLAIN_JSON_TEXT.test(requestId)) return this.before + requestId + this.after;
    // The quotes are JSON.stringify's then: `before` and `after` without theirs.
    return this.before.slice(0, -1) + JSON.stringify(requestId) + this.after.slice(1);
  }
}
