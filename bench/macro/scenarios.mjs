// The macro scenarios: which path, method, body and tokens each sends, and which status every response must have.
import { makeInvalidTokens, makeTokens } from './tokens.mjs';

export const DISTINCT_TOKENS = 10_000;
export const UPLOAD_BYTES = 1024 * 1024;

/**
 * `tokens` names a token set from buildTokenSets(); `direct: false` marks scenarios that make
 * no sense without authentication (the bare upstream would answer 200 to a bad signature).
 */
export const SCENARIOS = [
  { id: 'passthrough', title: 'no-auth passthrough', path: '/open/', expect: 200 },
  { id: 'hs256-one', title: 'HS256, one token', path: '/api/', tokens: 'hsOne', expect: 200 },
  { id: 'hs256-10k', title: 'HS256, 10k tokens', path: '/api/', tokens: 'hsMany', expect: 200 },
  { id: 'rs256-one', title: 'RS256, one token', path: '/api/', tokens: 'rsOne', expect: 200 },
  { id: 'rs256-10k', title: 'RS256, 10k tokens', path: '/api/', tokens: 'rsMany', expect: 200 },
  { id: 'bad-sig', title: 'bad signature → 401', path: '/api/', tokens: 'badMany', expect: 401, direct: false },
  // Refusals before any upstream work: no token on a jwt route, and a path no route matches (Kong's 404).
  { id: 'no-token', title: 'no token → 401', path: '/api/', expect: 401, direct: false },
  { id: 'no-route', title: 'no route → 404', path: '/nowhere/', expect: 404, direct: false },
  { id: 'resp-64k', title: '64 KiB response', path: '/open/big', expect: 200 },
  { id: 'upload-1m', title: '1 MiB upload', path: '/open/upload', method: 'POST', bodyBytes: UPLOAD_BYTES, expect: 200, connections: 16 },
  // jwt policy extensions (audiences, scopes_required, three claims_to_headers); target ≥ 0.9× the gateway's passthrough.
  {
    id: 'hs256-policy',
    title: 'HS256 + aud, scopes, 3 claim headers',
    path: '/policy/',
    tokens: 'hsPolicy',
    expect: 200,
    direct: false,
    peer: false,
  },
  // External-authorizer mode (authorizer_listen, Envoy's request shape): the same jwt decision, answered instead of proxied.
  { id: 'authz-hs256-one', title: 'authorizer: HS256, one token', path: '/api/', tokens: 'hsOne', expect: 200, listener: 'authorizer' },
  { id: 'authz-hs256-10k', title: 'authorizer: HS256, 10k tokens', path: '/api/', tokens: 'hsMany', expect: 200, listener: 'authorizer' },
];

/** The origin a scenario is sent to on a system: its authorizer listener for authorizer scenarios, else its load listener (h2 or main). */
export function scenarioUrl(system, scenario) {
  return scenario.listener === 'authorizer' ? system.authorizerUrl : (system.h2url ?? system.url);
}

/** The claims the hs256-policy tokens carry for the /policy route's checks and claim headers. */
export const POLICY_CLAIMS = {
  aud: 'bench-api',
  scope: 'orders:read profile',
  email: 'user@bench.example',
  realm_access: { roles: ['user', 'ops'] },
};

const TOKEN_SETS = {
  hsOne: (creds) => makeTokens({ alg: 'HS256', creds, count: 1, tag: 'hs1' }),
  hsMany: (creds, count) => makeTokens({ alg: 'HS256', creds, count, tag: 'hs' }),
  rsOne: (creds) => makeTokens({ alg: 'RS256', creds, count: 1, tag: 'rs1' }),
  rsMany: (creds, count) => makeTokens({ alg: 'RS256', creds, count, tag: 'rs' }),
  badMany: (creds, count) => makeInvalidTokens({ alg: 'HS256', creds, count, tag: 'bad' }),
  hsPolicy: (creds, count) => makeTokens({ alg: 'HS256', creds, count, tag: 'hsp', claims: POLICY_CLAIMS }),
};

/**
 * The token sets the scenarios refer to (only those `scenarios` use, when given: 10,000 RS256
 * signatures take a while); the 10k sets have distinct sub/jti per token.
 */
export function buildTokenSets(creds, count = DISTINCT_TOKENS, scenarios = SCENARIOS) {
  const used = new Set(scenarios.map((s) => s.tokens).filter(Boolean));
  return Object.fromEntries(
    Object.entries(TOKEN_SETS)
      .filter(([name]) => used.has(name))
      .map(([name, make]) => [name, make(creds, count)]),
  );
}

/** Select scenarios by a comma list of ids (all when empty); unknown ids are an error. */
export function selectScenarios(list) {
  if (!list) return SCENARIOS;
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = ids.filter((id) => !SCENARIOS.some((s) => s.id === id));
  if (unknown.length) throw new Error(`unknown scenario(s): ${unknown.join(', ')} (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
  return SCENARIOS.filter((s) => ids.includes(s.id));
}
