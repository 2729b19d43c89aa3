// The request admission rules, engine-neutral: what a request is refused with before routing (413, 400, 414), or null.
import { GATEWAY_MESSAGES, messageBody } from '../errors.js';
import { ContentLength } from '../server/request-snapshot.js';
import type { FixedResponse } from '../server/response-common.js';

/** What admission reads of a request (RequestSnapshot satisfies it). */
export interface AdmissionInput {
  readonly url: string;
  readonly query: string;
  /** The declared length, or ContentLength.Absent / ContentLength.Unparseable. */
  readonly contentLength: number;
  readonly authorizationCount: number;
  readonly malformed: boolean;
  readonly headerBytes: number;
}

/** The limits of one config generation, built once per generation (admit reads them per request). */
export interface AdmissionLimits {
  /** A declared body over this is refused with 413. */
  readonly maxBodyBytes: number;
  /** Request target plus header bytes over this is refused with 414 or 400. */
  readonly maxHeaderBytes: number;
}

interface LimitSettings {
  readonly max_body_bytes: number;
  readonly max_header_bytes: number;
}

export function admissionLimits(gateway: LimitSettings): AdmissionLimits {
  return Object.freeze({ maxBodyBytes: gateway.max_body_bytes, maxHeaderBytes: gateway.max_header_bytes });
}

/** The authorizer never reads a subrequest's body: no size limit (no 413), only framing and head size. */
export function authorizerAdmissionLimits(gateway: LimitSettings): AdmissionLimits {
  return Object.freeze({ maxBodyBytes: Number.MAX_SAFE_INTEGER, maxHeaderBytes: gateway.max_header_bytes });
}

/** A refusal is a prebuilt gateway answer; `close`: the framing or the head cannot be trusted (answer, linger, close). */
export type AdmissionRefusal = FixedResponse;

const refusal = (status: number, message: string, close: boolean): AdmissionRefusal =>
  Object.freeze({ status, body: messageBody(message), close });

/** Built once: admission allocates nothing. */
export const REFUSALS = {
  payloadTooLarge: refusal(413, GATEWAY_MESSAGES.payloadTooLarge, false),
  badRequest: refusal(400, GATEWAY_MESSAGES.badRequest, false),
  badFraming: refusal(400, GATEWAY_MESSAGES.badRequest, true),
  uriTooLong: refusal(414, GATEWAY_MESSAGES.uriTooLong, true),
  headerTooLarge: refusal(400, GATEWAY_MESSAGES.headerTooLarge, true),
} as const;

/**
 * In order: a declared body over max_body_bytes (413); two Authorization headers, an unparseable Content-Length
 * or ambiguous framing (400); a head over max_header_bytes (414 when the target alone is too long, else 400).
 * uWS enforces its head limit only across reads, so a head that arrives in one read is checked here (nginx: 414 / 494→400).
 */
export function admit(req: AdmissionInput, limits: AdmissionLimits): AdmissionRefusal | null {
  if (req.contentLength > limits.maxBodyBytes) return REFUSALS.payloadTooLarge;
  if (req.malformed || req.contentLength === ContentLength.Unparseable) return REFUSALS.badFraming;
  if (req.authorizationCount > 1) return REFUSALS.badRequest;
  const target = req.url.length + req.query.length;
  const max = limits.maxHeaderBytes;
  if (target + req.headerBytes > max) return target > max ? REFUSALS.uriTooLong : REFUSALS.headerTooLarge;
  return null;
}
