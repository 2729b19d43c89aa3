// The one error registry: the PortcullisError base class and its code constants, which callers compare by reference.
import type { ConfigError } from './config/types.js';

/**
 * Every code a Portcullis error carries. Compare `err.code === ERROR_CODES.clientAborted` (the constant, never a
 * string literal): renaming a code is then one edit here, and a typo fails to compile.
 */
export const ERROR_CODES = Object.freeze({
  /** The config file (or an environment override) is invalid; `ConfigInvalidError.errors` lists every problem. */
  configInvalid: 'PORTCULLIS_CONFIG_INVALID',
  /** The client went away before its request was answered (also the reason an upstream exchange is aborted with). */
  clientAborted: 'PORTCULLIS_CLIENT_ABORTED',
  /** The upstream made no progress for its service's `read_timeout` (504; read-timeouts.ts). */
  upstreamReadTimeout: 'PORTCULLIS_UPSTREAM_READ_TIMEOUT',
  /** The request body went past `gateway.max_body_bytes` while it streamed (413). */
  payloadTooLarge: 'PORTCULLIS_PAYLOAD_TOO_LARGE',
  /** A JWKS or OIDC discovery fetch failed. */
  jwksFetch: 'PORTCULLIS_JWKS_FETCH',
  /** `portcullis token` cannot mint the token asked for. */
  mintToken: 'PORTCULLIS_MINT_TOKEN',
  /** The command line is wrong (the CLI prints it with the usage). */
  usage: 'PORTCULLIS_USAGE',
} as const);
export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** The base of every error Portcullis throws on purpose; anything else reaching a catch is a bug or a library's error. */
export class PortcullisError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** True when `err` carries `code` (a PortcullisError, or undici handing back the reason we aborted it with). */
export function hasErrorCode(err: unknown, code: ErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** The config file at start-up is invalid; `errors` holds every problem with its JSON path. */
export class ConfigInvalidError extends PortcullisError {
  constructor(readonly errors: ConfigError[]) {
    super(ERROR_CODES.configInvalid, `invalid configuration (${errors.length} error${errors.length === 1 ? '' : 's'})`);
  }
}

/** The client aborted; one reused instance serves as the abort reason of every upstream exchange (no stack per abort). */
export class ClientAbortedError extends PortcullisError {
  constructor() {
    super(ERROR_CODES.clientAborted, 'client aborted the request');
  }
}

/** The upstream went quiet for longer than read_timeout; one reused instance is the abort reason of every such exchange. */
export class UpstreamReadTimeoutError extends PortcullisError {
  constructor() {
    super(ERROR_CODES.upstreamReadTimeout, 'upstream read timed out');
  }
}

export class PayloadTooLargeError extends PortcullisError {
  constructor() {
    super(ERROR_CODES.payloadTooLarge, 'request body exceeds max_body_bytes');
  }
}
