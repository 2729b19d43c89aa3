// `portcullis explain`: runs one request through the data plane's own route table and authenticator and says why it is allowed or refused.
import { createLogger } from '../observability/logger.js';
import type { CompiledConfig, CompiledRoute } from '../config/types.js';
import { createAuthenticator } from '../auth/authenticator.js';
import { AUTH_REASON_NAMES, type AuthDecision } from '../auth/types.js';
import { createThreadRuntime } from '../pipeline/thread-runtime.js';
import { createRouteTable } from '../routing/route-table.js';
import { normalizePath } from '../routing/normalize-path.js';
import type { RouteQuery } from '../routing/types.js';
import { GATEWAY_MESSAGES, messageBody } from '../errors.js';
import { explainJwt, type JwtStep } from './explain-jwt.js';
import { routeCandidates, type RouteCandidate } from './explain-routes.js';

export interface ExplainInput {
  method?: string;
  host?: string;
  /** Path with an optional `?query`. */
  path: string;
  /** Request headers as [name, value] pairs; `token` adds `Authorization: Bearer <token>`. */
  headers?: ReadonlyArray<readonly [string, string]>;
  token?: string;
}

export interface ExplainOptions {
  /** Unix seconds; default: the clock. */
  now?: () => number;
}

export interface Explanation {
  request: { method: string; host: string | null; path: string; query: string; headers: Array<[string, string]> };
  /** allowed: the gateway would proxy it (status null: the upstream answers); refused: the gateway answers itself. */
  verdict: { allowed: boolean; status: number | null; body: string | null; reason: string | null; stopped_at: string | null };
  route: { matched: RouteCandidate | null; upstream_path: string | null; candidates: RouteCandidate[] };
  plugin: { scope: 'route' | 'service' | 'global'; id: string; config: Record<string, unknown> } | null;
  jwt: { steps: JwtStep[]; decision: { kind: string; status: number | null; body: string | null; reason: string } } | null;
}

/** What the explain request offers the route table and the jwt stage: the same interface the uWS snapshot implements. */
function requestView(input: ExplainInput, listenPort: number) {
  const q = input.path.indexOf('?');
  const headers: Array<[string, string]> = (input.headers ?? []).map(([n, v]) => [n.toLowerCase(), v]);
  if (input.token !== undefined) headers.push(['authorization', `Bearer ${input.token}`]);
  if (input.host !== undefined && !headers.some(([n]) => n === 'host')) headers.push(['host', input.host]);
  const host = headers.find(([n]) => n === 'host')?.[1] ?? '';
  return {
    method: (input.method ?? 'GET').toUpperCase(),
    url: q < 0 ? input.path : input.path.slice(0, q),
    query: q < 0 ? '' : input.path.slice(q + 1),
    host,
    listenPort,
    path: '',
    pairs: headers,
    headers: headers.flat(),
    header(name: string): string | undefined {
      for (const [n, v] of headers) if (n === name) return v;
      return undefined;
    },
  };
}

function refused(e: Explanation, status: number, body: string, stoppedAt: string): Explanation {
  e.verdict = { allowed: false, status, body, reason: null, stopped_at: stoppedAt };
  return e;
}

function pluginScope(route: CompiledRoute): Explanation['plugin'] {
  const p = route.jwt;
  if (p === null) return null;
  const scope = p.entity.route !== null ? 'route' : p.entity.service !== null ? 'service' : 'global';
  return { scope, id: p.entity.id, config: p.entity.config as unknown as Record<string, unknown> };
}

function decisionOf(d: AuthDecision): NonNullable<Explanation['jwt']>['decision'] {
  const reason = AUTH_REASON_NAMES[d.reason] ?? 'unknown';
  if (d.kind === 'deny') return { kind: 'deny', status: d.status, body: d.body, reason };
  return { kind: d.kind, status: null, body: null, reason };
}

/**
 * The verdict comes from the data plane's own functions (normalizePath, createRouteTable, createAuthenticator
 * on a thread runtime with the inline verifier); the step list beside it re-runs the jwt stage's parts one by one to show inputs.
 * A JWKS credential's set is fetched once, by the registry both share.
 */
export async function explainRequest(config: CompiledConfig, input: ExplainInput, options: ExplainOptions = {}): Promise<Explanation> {
  const req = requestView(input, config.gateway.proxy_listen[0]?.port ?? 0);
  const e: Explanation = {
    request: { method: req.method, host: req.host === '' ? null : req.host, path: req.url, query: req.query, headers: req.pairs },
    verdict: { allowed: false, status: null, body: null, reason: null, stopped_at: null },
    route: { matched: null, upstream_path: null, candidates: [] },
    plugin: null,
    jwt: null,
  };
  if (req.pairs.filter(([n]) => n === 'authorization').length > 1)
    return refused(e, 400, messageBody(GATEWAY_MESSAGES.badRequest), 'request');
  const path = normalizePath(req.url);
  if (path === null) return refused(e, 400, messageBody(GATEWAY_MESSAGES.badRequest), 'request');
  req.path = path;

  const query: RouteQuery = req;
  const match = createRouteTable(config.routes).match(query);
  e.route.candidates = routeCandidates(config.routes, query, match?.route ?? null);
  if (match === null) return refused(e, 404, messageBody(GATEWAY_MESSAGES.noRoute), 'route');
  e.route.matched = e.route.candidates.find((c) => c.id === match.route.entity.id) ?? null;
  e.route.upstream_path = match.upstreamPath;
  e.plugin = pluginScope(match.route);

  const jwt = match.route.jwt;
  if (jwt !== null) {
    // A thread runtime of its own, as a worker has: inline verification (no threads for one request), a silent logger.
    const runtime = createThreadRuntime(config.gateway, { logger: createLogger({ level: 'silent' }), verifyMode: 'inline' });
    const jwks = runtime.jwks;
    try {
      const auth = createAuthenticator(config, { now: options.now, verifyAsymmetric: runtime.verifier.verify, jwks });
      const decision = await auth.authenticate(jwt, req);
      const steps = await explainJwt(config, jwt, req, { now: options.now, jwks });
      e.jwt = { steps, decision: decisionOf(decision) };
      const stop = steps.find((s) => s.result === 'fail');
      if (decision.kind === 'deny') {
        e.verdict = {
          allowed: false,
          status: decision.status,
          body: decision.body,
          reason: e.jwt.decision.reason,
          stopped_at: stop?.step ?? 'jwt',
        };
        return e;
      }
      e.verdict.reason = e.jwt.decision.reason;
      e.verdict.stopped_at = decision.kind === 'allow' && decision.anonymous ? (stop?.step ?? null) : null;
    } finally {
      await runtime.close(0);
    }
  }
  if (match.route.service === null) return refused(e, 503, messageBody(GATEWAY_MESSAGES.noService), 'service');
  e.verdict.allowed = true;
  return e;
}
