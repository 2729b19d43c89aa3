// For `explain`: each route's verdict on a request, and which of its conditions hold, asked of the real route table.
import type { CompiledRoute, RouteEntity } from '../config/types.js';
import { createRouteTable } from '../routing/route-table.js';
import type { RouteQuery } from '../routing/types.js';

export interface RouteCheck {
  field: 'methods' | 'hosts' | 'paths' | 'headers';
  expected: unknown;
  /** What the request offered for this field. */
  actual: string | Record<string, string | null>;
  ok: boolean;
}

export interface RouteCandidate {
  id: string;
  name: string | null;
  service: string | null;
  /** The route alone would take the request (the winner among several is the table's priority order). */
  matches: boolean;
  checks: RouteCheck[];
}

const FIELDS = ['methods', 'hosts', 'paths', 'headers'] as const;

/** A one-route table with every condition but `field` cleared: does that condition alone hold? */
function conditionHolds(route: CompiledRoute, field: (typeof FIELDS)[number], query: RouteQuery): boolean {
  const only: RouteEntity = { ...route.entity, methods: null, hosts: null, paths: null, headers: null, [field]: route.entity[field] };
  return createRouteTable([{ ...route, entity: only }]).match(query) !== null;
}

function offered(field: (typeof FIELDS)[number], route: RouteEntity, query: RouteQuery): RouteCheck['actual'] {
  if (field === 'methods') return query.method;
  if (field === 'hosts') return query.host;
  if (field === 'paths') return query.path;
  const out: Record<string, string | null> = {};
  for (const name of Object.keys(route.headers ?? {})) out[name] = query.header(name.toLowerCase()) ?? null;
  return out;
}

export function routeCandidates(routes: readonly CompiledRoute[], query: RouteQuery, winner: CompiledRoute | null): RouteCandidate[] {
  const out: RouteCandidate[] = [];
  for (const route of routes) {
    const e = route.entity;
    const checks: RouteCheck[] = [];
    for (const field of FIELDS) {
      const expected = e[field];
      if (expected === null || expected === undefined || (Array.isArray(expected) && expected.length === 0)) continue;
      if (field === 'headers' && Object.keys(expected).length === 0) continue;
      checks.push({ field, expected, actual: offered(field, e, query), ok: conditionHolds(route, field, query) });
    }
    const matches = route === winner || createRouteTable([route]).match(query) !== null;
    out.push({ id: e.id, name: e.name, service: route.service?.entity.name ?? route.service?.entity.id ?? null, matches, checks });
  }
  return out;
}
