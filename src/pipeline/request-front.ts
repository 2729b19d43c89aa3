// The front of the proxy pipeline: request arrival → admission → route → https redirect → jwt stage; what passes goes to the proxy stage.
import type { Logger } from 'pino';
import type { AuthAllow, AuthDecision, AuthOutcome, Authenticator } from '../auth/types.js';
import type { CompiledConfig } from '../config/types.js';
import { ErrorBody, GATEWAY_MESSAGES, messageBody } from '../errors.js';
import type { RouteMatch, RouteTable } from '../routing/types.js';
import type { RequestSnapshot } from '../server/request-snapshot.js';
import type { ClientResponse, ListenerContext, RequestBody } from '../server/engine.js';
import { tallyAuth } from '../observability/counters.js';
import { noteAccessAuth, noteAccessRoute, type AccessLog } from '../observability/access-log.js';
import { admit, type AdmissionLimits } from './admission.js';
import { answerPlainHttp } from './https-redirect.js';
import { refuseOffGrpc } from './grpc-route.js';
import type { DataPlaneCounters } from './types.js';

/** What the front reads of one config generation. */
export interface FrontGeneration {
  readonly config: CompiledConfig;
  readonly routes: RouteTable;
  readonly auth: Authenticator;
  readonly limits: AdmissionLimits;
}

/** The stage after the front: an admitted, routed and allowed (or unauthenticated-route) request goes upstream. */
export type ProxyStage = (
  writer: ClientResponse,
  snap: RequestSnapshot,
  body: RequestBody | null,
  match: RouteMatch,
  allow: AuthAllow | null,
  listener: ListenerContext,
) => void;

export interface RequestFrontDeps {
  /** The data plane's current generation, read once per request. */
  current(): FrontGeneration;
  normalizePath(raw: string): string | null;
  counters: DataPlaneCounters;
  /** Per-reason auth tallies (observability/counters.ts). */
  authCounts: Float64Array;
  logger: Logger;
  /** The access log (gateway.access_log), null when off: each request then gets a record from it. */
  accessLog: AccessLog | null;
  proxy: ProxyStage;
}

/** The front's own `{"message":...}` answers, built once. */
const BAD_REQUEST = messageBody(GATEWAY_MESSAGES.badRequest);
const UNEXPECTED = messageBody(GATEWAY_MESSAGES.unexpected);
/** Kong's 404 for a path no route matches: the message's JSON is built once, the request id added per answer. */
const NO_ROUTE = new ErrorBody(GATEWAY_MESSAGES.noRoute);

/**
 * Returns the handler of one request. A refusal (admission, no route, a denied token) is answered here, touching only
 * what it needs: the snapshot's admission facts, path, host and credential headers, never the peer address.
 */
export function createRequestFront(
  deps: RequestFrontDeps,
): (writer: ClientResponse, snap: RequestSnapshot, listener: ListenerContext) => void {
  const { counters, authCounts, logger, normalizePath, proxy } = deps;

  function afterAuth(
    writer: ClientResponse,
    snap: RequestSnapshot,
    body: RequestBody | null,
    match: RouteMatch,
    decision: AuthDecision,
    listener: ListenerContext,
  ): void {
    if (writer.finished) return;
    if (writer.access !== null) noteAccessAuth(writer.access, decision);
    if (decision.kind === 'deny') {
      counters.authDenied++;
      tallyAuth(authCounts, decision.reason, true);
      writer.sendJson(decision.status, decision.body, decision.wwwAuthenticate);
      return;
    }
    if (decision.kind === 'allow') {
      counters.authAllowed++;
      tallyAuth(authCounts, decision.reason, false);
    }
    proxy(writer, snap, body, match, decision.kind === 'allow' ? decision : null, listener);
  }

  return function handle(writer, snap, listener) {
    if (deps.accessLog !== null) writer.access = deps.accessLog.record(snap.method, snap.url);
    const g = deps.current();
    let body: RequestBody | null = null;
    if (snap.contentLength > 0 || snap.chunked) {
      body = writer.openBody(g.limits.maxBodyBytes, snap.chunked ? -1 : snap.contentLength);
    }
    const refused = admit(snap, g.limits);
    if (refused !== null) {
      writer.sendFixed(refused);
      return;
    }
    const path = normalizePath(snap.url);
    if (path === null) {
      writer.sendJson(400, BAD_REQUEST);
      return;
    }
    snap.path = path;
    const match = g.routes.match(snap);
    if (match === null) {
      writer.sendError(404, NO_ROUTE);
      return;
    }
    if (writer.access !== null) noteAccessRoute(writer.access, match.route);
    const httpsRedirect = match.route.httpsRedirect;
    if (httpsRedirect != null && !snap.tls) {
      answerPlainHttp(writer, snap, httpsRedirect);
      return;
    }
    const grpc = match.route.grpc;
    if (grpc != null && refuseOffGrpc(writer, snap, grpc)) return;
    const jwt = match.route.jwt;
    if (jwt === null) {
      proxy(writer, snap, body, match, null, listener);
      return;
    }
    let outcome: AuthOutcome;
    try {
      outcome = g.auth.authenticate(jwt, snap);
    } catch (error) {
      logger.error({ err: error }, 'jwt stage threw');
      writer.sendJson(500, UNEXPECTED);
      return;
    }
    if (typeof (outcome as Promise<AuthDecision>).then !== 'function') {
      afterAuth(writer, snap, body, match, outcome as AuthDecision, listener);
      return;
    }
    // Asymmetric verification: the body keeps queueing (paused past its high-water mark) meanwhile.
    (outcome as Promise<AuthDecision>).then(
      (decision) => afterAuth(writer, snap, body, match, decision, listener),
      (error: unknown) => {
        logger.error({ err: error }, 'jwt stage failed');
        writer.sendJson(500, UNEXPECTED);
      },
    );
  };
}
