import { describe, expect, it } from 'vitest';
import { createRouteTable } from '../../../src/routing/route-table.js';
import type { CompiledRoute } from '../../../src/config/types.js';
import { query, route, service } from './helpers.js';

type Q = Parameters<typeof query>[1];

/** The name of the route that wins for the request, or null. */
function winner(routes: CompiledRoute[], path: string, opts?: Q): string | null {
  return createRouteTable(routes).match(query(path, opts))?.route.entity.name ?? null;
}

describe('createRouteTable: priority', () => {
  it('prefers more attribute kinds: host+path beats a longer path alone', () => {
    const routes = [
      route({ name: 'long-path', paths: ['/api/v1/users'] }),
      route({ name: 'host-path', paths: ['/api'], hosts: ['example.com'] }),
    ];
    expect(winner(routes, '/api/v1/users', { host: 'example.com' })).toBe('host-path');
    expect(winner(routes, '/api/v1/users', { host: 'other.com' })).toBe('long-path');
  });

  it('prefers a method+path route over a path route', () => {
    const routes = [route({ name: 'path', paths: ['/a'] }), route({ name: 'method-path', paths: ['/a'], methods: ['GET'] })];
    expect(winner(routes, '/a', { method: 'GET' })).toBe('method-path');
    expect(winner(routes, '/a', { method: 'POST' })).toBe('path');
  });

  it('prefers plain hosts over wildcard hosts', () => {
    const routes = [
      route({ name: 'wild', hosts: ['*.example.com'], paths: ['/api/long'] }),
      route({ name: 'plain', hosts: ['api.example.com'], paths: ['/api'] }),
    ];
    expect(winner(routes, '/api/long', { host: 'api.example.com' })).toBe('plain');
    expect(winner(routes, '/api/long', { host: 'www.example.com' })).toBe('wild');
  });

  it('treats a route with one wildcard among its hosts as a wildcard route', () => {
    const routes = [
      route({ name: 'mixed', hosts: ['api.example.com', '*.example.org'], paths: ['/api/long'] }),
      route({ name: 'plain', hosts: ['api.example.com'], paths: ['/api'] }),
    ];
    expect(winner(routes, '/api/long', { host: 'api.example.com' })).toBe('plain');
  });

  it('prefers more header matchers', () => {
    const routes = [
      route({ name: 'one', headers: { 'x-a': ['1'] }, paths: ['/long/path'] }),
      route({ name: 'two', headers: { 'x-a': ['1'], 'x-b': ['2'] }, paths: ['/'] }),
    ];
    expect(winner(routes, '/long/path', { headers: { 'x-a': '1', 'x-b': '2' } })).toBe('two');
    expect(winner(routes, '/long/path', { headers: { 'x-a': '1' } })).toBe('one');
  });

  it('prefers regex paths over prefix paths', () => {
    const routes = [route({ name: 'prefix', paths: ['/users/42'] }), route({ name: 'regex', paths: ['~/users/\\d+'] })];
    expect(winner(routes, '/users/42')).toBe('regex');
    expect(winner(routes, '/users/42x')).toBe('regex');
  });

  it('prefers the higher regex_priority among regex routes', () => {
    const routes = [
      route({ name: 'low', paths: ['~/a'], regex_priority: 1 }),
      route({ name: 'high', paths: ['~/a/b'], regex_priority: 5 }),
      route({ name: 'negative', paths: ['~/a/b/c'], regex_priority: -1 }),
    ];
    expect(winner(routes, '/a/b/c')).toBe('high');
    expect(winner(routes, '/a/x')).toBe('low');
  });

  it('ignores regex_priority on prefix routes', () => {
    const routes = [route({ name: 'short', paths: ['/a'], regex_priority: 100 }), route({ name: 'long', paths: ['/a/b'] })];
    expect(winner(routes, '/a/b')).toBe('long');
  });

  it('prefers the longer prefix path', () => {
    const routes = [route({ name: 'short', paths: ['/api'] }), route({ name: 'long', paths: ['/api/v1'] })];
    expect(winner(routes, '/api/v1/x')).toBe('long');
    expect(winner(routes, '/api/v2/x')).toBe('short');
  });

  it('splits a route with several paths so each path competes with its own length', () => {
    const routes = [route({ name: 'multi', paths: ['/a', '/b/c/d'] }), route({ name: 'mid', paths: ['/b/c'] })];
    expect(winner(routes, '/b/c/d/e')).toBe('multi');
    expect(winner(routes, '/b/c/x')).toBe('mid');
    expect(winner(routes, '/a/x')).toBe('multi');
  });

  it('breaks full ties by config order', () => {
    const routes = [route({ name: 'first', paths: ['/x'] }), route({ name: 'second', paths: ['/x'] })];
    expect(winner(routes, '/x')).toBe('first');
  });
});

describe('createRouteTable: paths', () => {
  it('matches prefix paths as plain string prefixes, not segments', () => {
    const routes = [route({ name: 'r', paths: ['/route'] })];
    expect(winner(routes, '/route')).toBe('r');
    expect(winner(routes, '/route/x')).toBe('r');
    expect(winner(routes, '/routereq')).toBe('r');
    expect(winner(routes, '/rout')).toBeNull();
  });

  it('anchors regex paths at the start only', () => {
    const routes = [route({ name: 'r', paths: ['~/v\\d/items'] })];
    expect(winner(routes, '/v1/items/7')).toBe('r');
    expect(winner(routes, '/api/v1/items')).toBeNull();
  });

  it('honours an explicit end anchor in a regex path', () => {
    const routes = [route({ name: 'r', paths: ['~/v\\d/items$'] })];
    expect(winner(routes, '/v1/items')).toBe('r');
    expect(winner(routes, '/v1/items/7')).toBeNull();
  });

  it('anchors every alternative of a regex path', () => {
    const routes = [route({ name: 'r', paths: ['~/a|/b'] })];
    expect(winner(routes, '/b/x')).toBe('r');
    expect(winner(routes, '/x/b')).toBeNull();
  });

  it('accepts PCRE-style named groups (?P<name>...)', () => {
    const routes = [route({ name: 'r', paths: ['~/users/(?P<id>\\d+)$'] })];
    expect(winner(routes, '/users/12')).toBe('r');
  });

  it('matches regex paths against the normalized path', () => {
    const routes = [route({ name: 'r', paths: ['~/~user/\\w+$'] })];
    expect(winner(routes, '/~user/abc')).toBe('r');
  });

  it('matches any path for a route without paths', () => {
    const routes = [route({ name: 'get', methods: ['GET'] })];
    expect(winner(routes, '/anything/at/all')).toBe('get');
  });

  it('returns null when nothing matches', () => {
    expect(winner([route({ name: 'r', paths: ['/api'] })], '/other')).toBeNull();
    expect(winner([], '/')).toBeNull();
  });

  it('leaves out routes whose service is disabled', () => {
    const disabled = service('/s', { enabled: false });
    const routes = [route({ name: 'off', paths: ['/api/x'] }, disabled), route({ name: 'on', paths: ['/api'] })];
    expect(winner(routes, '/api/x')).toBe('on');
  });

  it('matches a route with no service and uses / as its base', () => {
    const m = createRouteTable([route({ name: 'r', paths: ['/a'] }, null)]).match(query('/a/b'));
    expect(m?.route.service).toBeNull();
    expect(m?.upstreamPath).toBe('/b');
  });
});

describe('createRouteTable: hosts', () => {
  it('matches an exact host ignoring the request port', () => {
    const routes = [route({ name: 'r', hosts: ['example.com'] })];
    expect(winner(routes, '/', { host: 'example.com' })).toBe('r');
    expect(winner(routes, '/', { host: 'example.com:8443' })).toBe('r');
    expect(winner(routes, '/', { host: 'www.example.com' })).toBeNull();
  });

  it('compares hosts case-insensitively', () => {
    expect(winner([route({ name: 'r', hosts: ['Example.com'] })], '/', { host: 'EXAMPLE.COM:80' })).toBe('r');
  });

  it('does not match a host route when the Host header is absent', () => {
    expect(winner([route({ name: 'r', hosts: ['example.com'] })], '/', { host: '' })).toBeNull();
  });

  it('matches *.example.com as a suffix at any depth, but not the bare domain', () => {
    const routes = [route({ name: 'r', hosts: ['*.example.com'] })];
    expect(winner(routes, '/', { host: 'a.example.com' })).toBe('r');
    expect(winner(routes, '/', { host: 'a.b.example.com' })).toBe('r');
    expect(winner(routes, '/', { host: 'example.com' })).toBeNull();
    expect(winner(routes, '/', { host: 'badexample.com' })).toBeNull();
  });

  it('matches example.* as a prefix', () => {
    const routes = [route({ name: 'r', hosts: ['example.*'] })];
    expect(winner(routes, '/', { host: 'example.org' })).toBe('r');
    expect(winner(routes, '/', { host: 'example.co.uk' })).toBe('r');
    expect(winner(routes, '/', { host: 'www.example.org' })).toBeNull();
  });

  it('requires the port when the route host names one, taken from the Host header', () => {
    const routes = [route({ name: 'r', hosts: ['example.com:9000'] })];
    expect(winner(routes, '/', { host: 'example.com:9000' })).toBe('r');
    expect(winner(routes, '/', { host: 'example.com:9001' })).toBeNull();
  });

  it('uses the listen port when the Host header has no port', () => {
    const routes = [route({ name: 'r', hosts: ['example.com:8000'] })];
    expect(winner(routes, '/', { host: 'example.com', listenPort: 8000 })).toBe('r');
    expect(winner(routes, '/', { host: 'example.com', listenPort: 8443 })).toBeNull();
  });

  it('requires the port of a wildcard host that names one', () => {
    const routes = [route({ name: 'r', hosts: ['*.example.com:9000'] })];
    expect(winner(routes, '/', { host: 'a.example.com:9000' })).toBe('r');
    expect(winner(routes, '/', { host: 'a.example.com' })).toBeNull();
  });

  it('matches bracketed IPv6 hosts with and without a port', () => {
    const routes = [route({ name: 'r', hosts: ['[::1]'] })];
    expect(winner(routes, '/', { host: '[::1]:8000' })).toBe('r');
    expect(winner(routes, '/', { host: '[::1]' })).toBe('r');
  });
});

describe('createRouteTable: methods and headers', () => {
  it('matches methods exactly', () => {
    const routes = [route({ name: 'r', methods: ['GET', 'POST'], paths: ['/'] })];
    expect(winner(routes, '/', { method: 'POST' })).toBe('r');
    expect(winner(routes, '/', { method: 'DELETE' })).toBeNull();
  });

  it('matches header values case-insensitively', () => {
    const routes = [route({ name: 'r', headers: { 'X-Version': ['Beta', 'v2'] } })];
    expect(winner(routes, '/', { headers: { 'x-version': 'BETA' } })).toBe('r');
    expect(winner(routes, '/', { headers: { 'x-version': 'v2' } })).toBe('r');
    expect(winner(routes, '/', { headers: { 'x-version': 'v3' } })).toBeNull();
    expect(winner(routes, '/', {})).toBeNull();
  });

  it('treats a ~* header value as a case-insensitive regex', () => {
    const routes = [route({ name: 'r', headers: { 'x-client': ['~*^mobile-\\d+$'] } })];
    expect(winner(routes, '/', { headers: { 'x-client': 'Mobile-12' } })).toBe('r');
    expect(winner(routes, '/', { headers: { 'x-client': 'desktop' } })).toBeNull();
  });

  it('searches a ~* header regex anywhere in the value unless anchored', () => {
    const routes = [route({ name: 'r', headers: { 'user-agent': ['~*curl/'] } })];
    expect(winner(routes, '/', { headers: { 'user-agent': 'x curl/8.0' } })).toBe('r');
  });

  it('requires every header matcher of a route', () => {
    const routes = [route({ name: 'r', headers: { 'x-a': ['1'], 'x-b': ['2'] } })];
    expect(winner(routes, '/', { headers: { 'x-a': '1' } })).toBeNull();
    expect(winner(routes, '/', { headers: { 'x-a': '1', 'x-b': '2' } })).toBe('r');
  });
});

describe('createRouteTable: candidate index', () => {
  // A deterministic pseudo-random generator so failures reproduce.
  function rng(seed: number): () => number {
    let s = seed;
    return () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
  }

  it('picks the same route as a full priority-ordered scan', () => {
    const rand = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const segments = ['a', 'ab', 'api', 'svc-1', 'svc-12', 'svc-123', 'users', 'v1', 'v2', 'x'];
    const hostNames = ['a.test', 'b.test', 'api.example.com', '*.example.com', 'api.*', 'a.test:8000'];
    const randomPath = (): string => {
      let p = '';
      const n = 1 + Math.floor(rand() * 3);
      for (let i = 0; i < n; i++) p += `/${pick(segments)}`;
      return rand() < 0.2 ? `${p}/` : p;
    };
    const routes: CompiledRoute[] = [];
    for (let i = 0; i < 300; i++) {
      const fields: Parameters<typeof route>[0] = { name: `r${i}` };
      const kind = rand();
      if (kind < 0.6) fields.paths = [randomPath(), ...(rand() < 0.3 ? [randomPath()] : [])];
      else if (kind < 0.7) fields.paths = [`~/${pick(segments)}/\\w+$`];
      if (rand() < 0.3 || !fields.paths) fields.hosts = [pick(hostNames), ...(rand() < 0.3 ? [pick(hostNames)] : [])];
      if (rand() < 0.15) fields.methods = [pick(['GET', 'POST'])];
      if (rand() < 0.1) fields.headers = { 'x-v': [pick(['1', '2'])] };
      fields.regex_priority = Math.floor(rand() * 3);
      routes.push(route(fields));
    }
    const indexed = createRouteTable(routes);
    const linear = createRouteTable(routes, { indexed: false });
    const requestHosts = ['a.test', 'B.test:8000', 'api.example.com', 'x.example.com', 'api.org', 'none.test', ''];
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const q = query(randomPath(), {
        host: pick(requestHosts),
        method: pick(['GET', 'POST']),
        listenPort: pick([8000, 8443]),
        headers: rand() < 0.5 ? { 'x-v': pick(['1', '2']) } : {},
      });
      const want = linear.match(q);
      const got = indexed.match(q);
      expect(got?.route.entity.name ?? null, `${q.method} ${q.host} ${q.path}`).toBe(want?.route.entity.name ?? null);
      expect(got?.upstreamPath).toBe(want?.upstreamPath);
      if (want) matched++;
    }
    expect(matched).toBeGreaterThan(1000);
  });
});

describe('createRouteTable: snis and protocols', () => {
  it('matches a route with snis only on TLS requests whose SNI matches one of them', () => {
    const routes = [
      route({ name: 'sni', protocols: ['https'], snis: ['a.test', '*.b.test'], paths: ['/x'] }),
      route({ name: 'any', paths: ['/x'] }),
    ];
    expect(winner(routes, '/x', { tls: true, sni: 'a.test' })).toBe('sni');
    expect(winner(routes, '/x', { tls: true, sni: 'c.b.test' })).toBe('sni');
    expect(winner(routes, '/x', { tls: true, sni: 'c.test' })).toBe('any');
    expect(winner(routes, '/x', { tls: true, sni: null })).toBe('any');
    expect(winner(routes, '/x')).toBe('any');
  });
  it('skips http-only routes for TLS requests; https-only routes still match plain ones (the pipeline answers 426)', () => {
    const routes = [
      route({ name: 'plain', protocols: ['http'], paths: ['/p'] }),
      route({ name: 'secure', protocols: ['https'], paths: ['/s'] }),
    ];
    expect(winner(routes, '/p', { tls: true, sni: 'x.test' })).toBeNull();
    expect(winner(routes, '/p')).toBe('plain');
    expect(winner(routes, '/s')).toBe('secure');
    expect(winner(routes, '/s', { tls: true })).toBe('secure');
  });
});
