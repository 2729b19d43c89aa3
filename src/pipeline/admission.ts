// The request admission rules, engine-neutral: what a request is refused with before routing (413, 400, 414), or null.
import { GATEWAY_MESSAGES, messageBody } from '../errors.js';

/** What admission reads of a request (RequestSnapshot satisfies it). */
export interface AdmissionInput {
  readonly url: string;
  readonly query: string;
  readonly contentLength: number;
  readonly authorizationCount: number;
  readonly malformed: boolean;
  readonly headerBytes: number;
}

export interface AdmissionRefusal {
  readonly status: number;
  readonly body: string;
  /** The framing or the head cannot be trusted: the answer closes the connection (after lingering). */
  readonly close: boolean;
}

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
export function admit(req: AdmissionInput, maxBodyBytes: number, maxHeaderBytes: number): AdmissionRefusal | null {
  if (req.contentLength > maxBodyBytes) return REFUSALS.payloadTooLarge;
  if (req.malformed || req.contentLength === -2) return REFUSALS.badFraming;
  if (req.authorizationCount > 1) return REFUSALS.badRequest;
  const target = req.url.length + req.query.length;
  if (target + req.headerBytes > maxHeaderBytes) return target > maxHeaderBytes ? REFUSALS.uriTooLong : REFUSALS.headerTooLarge;
  return null;
}
