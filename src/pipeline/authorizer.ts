// The external-authorizer listener's handler: subrequest → original request → route → jwt stage → 200 with identity headers, or the denial.
import type { Logger } from 'pino';
import type { AuthDecision, AuthOutcome, Authenticator } from '../auth/types.js';
import type { CompiledConfig } from '../config/types.js';
import { ErrorBody, GATEWAY_MESSAGES, messageBody } from '../errors.js';
import { identityFor } from '../auth/policy-headers.js';
import { IDENTITY_HEADER_NAMES } from '../proxy/forwarded-headers.js';
import type { RouteMatch, RouteTable } from '../routing/types.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';
import type { ClientResponse, PipelineEntry, WriterShared } from '../server/engine.js';
import { admit, REFUSALS, type AdmissionLimits } from './admission.js';
import { authorizerCounter, type AuthorizerCounter } from './authorizer-outcome.js';
import { BAD_SHAPE, OUTSIDE_PREFIX, reconstructRequest } from './authorizer-request.js';
import type { RequestIds } from './request-id.js';
import type { DataPlaneCounters } from './types.js';
import { noteAccessAuth, noteAccessRoute, type AccessLog } from '../observability/access-log.js';

/** Kong's 404 answer (kong.response.error, with the request id). */
const NO_ROUTE = new ErrorBody(GATEWAY_MESSAGES.noRoute);

/** What the handler reads of the data plane's current config generation. */
export interface AuthorizerGeneration {
  readonly config: CompiledConfig;
  readonly routes: RouteTable;
  readonly auth: Authenticator;
  /** Admission for subrequests: their bodies are never read, so no size limit (no 413), only framing and head size. */
  readonly authorizerLimits: AdmissionLimits;
}

export interface AuthorizerDeps {
  /** The data plane's current generation, read once per request. */
  current(): AuthorizerGeneration;
  normalizePath(raw: string): string | null;
  /** The data plane's counters: the authorizer bumps only its own decision counters. */
  counters: DataPlaneCounters;
  /** The data plane's request ids (one sequence for both listeners' answers). */
  requestIds: RequestIds;
  /** Response counters, drain flag and completion hook of this listener's writers. */
  shared: WriterShared;
  logger: Logger;
  /** The access log, null when off: each answer gets a line (marked `"mode":"authorizer"`), written by the proxy's onComplete. */
  accessLog: AccessLog | null;
}

const NO_HEADERS: readonly string[] = Object.freeze([]);
const UNEXPECTED = messageBody(GATEWAY_MESSAGES.unexpected);

/** ASCII case-insensitive `a === lower` without allocating (consumer header names are `X-Consumer-ID` style). */
function sameName(a: string, lower: string): boolean {
  if (a.length !== lower.length) return false;
  for (let i = 0; i < a.length; i++) if ((a.charCodeAt(i) | 0x20) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Appends `lower` with an empty value unless one of the first `set` entries of out names it. */
function blankUnlessSet(out: string[], lower: string, set: number): void {
  for (let i = 0; i < set; i += 2) if (sameName(out[i]!, lower)) return;
  out.push(lower, '');
}

/**
 * The allow's identity headers (with the route's claim headers), plus an empty value for each such name it does not
 * set: Traefik and Envoy copy listed headers over the client's, so an empty value is what replaces a spoofed one
 * (nginx drops empty ones).
 */
function allowHeaders(out: string[], decision: AuthDecision & { kind: 'allow' }, match: RouteMatch): readonly string[] {
  out.length = 0;
  const policy = match.route.jwt?.policy?.upstream ?? null;
  // The same identity headers the proxy sends upstream on this route.
  const own = identityFor(decision, policy).identityHeaders;
  for (let i = 0; i < own.length; i++) out.push(own[i]!);
  const set = out.length;
  for (let n = 0; n < IDENTITY_HEADER_NAMES.length; n++) blankUnlessSet(out, IDENTITY_HEADER_NAMES[n]!, set);
  if (policy !== null) {
    const claims = policy.claimHeaders;
    for (let n = 0; n < claims.length; n++) blankUnlessSet(out, claims[n]!.header, set);
    if (policy.payloadHeader !== null) blankUnlessSet(out, policy.payloadHeader, set);
  }
  return out;
}

/** The authorizer listener's writer state: its own response counters (not the proxy's), the proxy's completion hook. */
export function createAuthorizerShared(proxy: WriterShared): WriterShared & { draining: boolean } {
  return {
    counters: { responses2xx: 0, responses3xx: 0, responses4xx: 0, responses5xx: 0, inFlight: 0 },
    via: proxy.via,
    draining: false,
    mode: 'authorizer',
    // The proxy's, read at each answer: a reload's new settings apply to both listeners.
    get refusal() {
      return proxy.refusal;
    },
    now: () => proxy.now(),
    onComplete: (writer) => proxy.onComplete(writer),
  };
}

/** The authorizer listener's pipeline: either engine serves it through the same seam as the proxy listeners. */
export function createAuthorizerEntry(deps: AuthorizerDeps): PipelineEntry {
  const { counters, logger } = deps;
  const notFound = (writer: ClientResponse): void => {
    counters.authzNotFound++;
    writer.sendError(404, NO_ROUTE);
  };
  const badRequest = (writer: ClientResponse): void => {
    counters.authzBadRequest++;
    writer.sendJson(400, REFUSALS.badRequest.body);
  };
  const failed = (writer: ClientResponse, error: unknown): void => {
    logger.error({ err: error }, 'authorizer jwt stage failed');
    counters.authzErrorInternal++;
    writer.sendJson(500, UNEXPECTED);
  };

  // This listener's allow headers: filled and written synchronously per allow, one array instead of one per request.
  const scratch: string[] = [];

  function answer(writer: ClientResponse, match: RouteMatch, decision: AuthDecision): void {
    if (writer.finished) return;
    const counter: AuthorizerCounter = authorizerCounter(decision);
    counters[counter]++;
    if (writer.access !== null) noteAccessAuth(writer.access, decision);
    if (decision.kind === 'deny') writer.sendJson(decision.status, decision.body, decision.wwwAuthenticate);
    else writer.sendHeaders(200, decision.kind === 'allow' ? allowHeaders(scratch, decision, match) : NO_HEADERS);
  }

  function handle(writer: ClientResponse, snap: RequestSnapshot): void {
    if (deps.accessLog !== null) writer.access = deps.accessLog.record(snap.method, snap.url);
    // Bodies are never read: a subrequest that carries one gets its answer on a closing connection.
    if (snap.contentLength > 0 || snap.chunked) writer.closeConnection = true;
    const g = deps.current();
    const gw = g.config.gateway;
    const refused = admit(snap, g.authorizerLimits);
    if (refused !== null) {
      counters.authzBadRequest++;
      writer.sendFixed(refused);
      return;
    }
    const original = reconstructRequest(snap, gw.authorizer_source ?? 'auto', gw.authorizer_path_prefix ?? '');
    if (original === BAD_SHAPE) return badRequest(writer);
    if (original === OUTSIDE_PREFIX) return notFound(writer);
    // The line names the request asked about (its method and path), not the subrequest.
    if (deps.accessLog !== null) writer.access = deps.accessLog.record(original.method, original.url);
    const path = deps.normalizePath(original.url);
    if (path === null) return badRequest(writer);
    original.path = path;
    const match = g.routes.match(original);
    if (match === null) return notFound(writer);
    if (writer.access !== null) noteAccessRoute(writer.access, match.route);
    const jwt = match.route.jwt;
    if (jwt === null) {
      counters.authzAllowedNoPlugin++;
      writer.sendHeaders(200, NO_HEADERS);
      return;
    }
    const outcome: AuthOutcome = g.auth.authenticate(jwt, original);
    if (typeof (outcome as Promise<AuthDecision>).then !== 'function') {
      answer(writer, match, outcome as AuthDecision);
      return;
    }
    (outcome as Promise<AuthDecision>).then(
      (decision) => answer(writer, match, decision),
      (error: unknown) => failed(writer, error),
    );
  }

  return {
    shared: deps.shared,
    requestIds: deps.requestIds,
    handle(writer, snap) {
      deps.shared.counters.inFlight++;
      try {
        handle(writer, snap);
      } catch (error) {
        failed(writer, error);
      }
    },
  };
}
