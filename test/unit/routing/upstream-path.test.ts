import { describe, expect, it } from 'vitest';
import { createRouteTable } from '../../../src/routing/route-table.js';
import { normalizePath } from '../../../src/routing/normalize-path.js';
import { forwardedPrefixOf, upstreamPathV0 } from '../../../src/routing/upstream-path.js';
import type { RouteMatch } from '../../../src/routing/types.js';
import { query, route, service } from './helpers.js';

/** Routes one request through a table holding a single route, the way the front end will. */
function proxy(servicePath: string | null, routeFields: Parameters<typeof route>[0], rawTarget: string): RouteMatch {
  const table = createRouteTable([route(routeFields, service(servicePath))]);
  const q = rawTarget.indexOf('?');
  const path = normalizePath(q < 0 ? rawTarget : rawTarget.slice(0, q));
  expect(path).not.toBeNull();
  const m = table.match(query(path!));
  expect(m).not.toBeNull();
  return m!;
}

describe("Kong's v0 worked examples (kong-reference §8)", () => {
  it('1: service / + route /route strip, /route goes to /', () => {
    expect(proxy('/', { paths: ['/route'] }, '/route').upstreamPath).toBe('/');
  });

  it('2: service / + route /route strip, /routereq goes to /req', () => {
    expect(proxy('/', { paths: ['/route'] }, '/routereq').upstreamPath).toBe('/req');
  });

  it('3: service / + route /route no strip, /routereq goes to /routereq', () => {
    expect(proxy('/', { paths: ['/route'], strip_path: false }, '/routereq').upstreamPath).toBe('/routereq');
  });

  it('4: service /service + route /route strip, /route/ goes to /service/', () => {
    expect(proxy('/service', { paths: ['/route'] }, '/route/').upstreamPath).toBe('/service/');
  });

  it('5: service /service + route /route strip, /routereq goes to /service/req', () => {
    expect(proxy('/service', { paths: ['/route'] }, '/routereq').upstreamPath).toBe('/service/req');
  });

  it('6: service /service + route /route no strip, /route goes to /service/route', () => {
    expect(proxy('/service', { paths: ['/route'], strip_path: false }, '/route').upstreamPath).toBe('/service/route');
  });

  it('7: service /service/ + route /route strip, /route goes to /service', () => {
    expect(proxy('/service/', { paths: ['/route'] }, '/route').upstreamPath).toBe('/service');
  });

  it('8: service /service + route / (strip on or off), /route/req goes to /service/route/req', () => {
    expect(proxy('/service', { paths: ['/'] }, '/route/req').upstreamPath).toBe('/service/route/req');
    expect(proxy('/service', { paths: ['/'], strip_path: false }, '/route/req').upstreamPath).toBe('/service/route/req');
  });

  it('9: service /service + host-only route (strip on or off), / goes to /service', () => {
    const q = (strip: boolean) => {
      const table = createRouteTable([route({ hosts: ['api.test'], strip_path: strip }, service('/service'))]);
      return table.match(query('/', { host: 'api.test' }))!.upstreamPath;
    };
    expect(q(true)).toBe('/service');
    expect(q(false)).toBe('/service');
  });

  it('10: service /srv/ + route /rou strip, /rou goes to /srv', () => {
    expect(proxy('/srv/', { paths: ['/rou'] }, '/rou').upstreamPath).toBe('/srv');
  });

  it('11: service /service + route /route strip, /route%2E%2E/req goes to /service/req', () => {
    expect(normalizePath('/route%2E%2E/req')).toBe('/route../req');
    expect(proxy('/service', { paths: ['/route'] }, '/route%2E%2E/req').upstreamPath).toBe('/service/req');
  });

  it('12: service /service + route /route strip, /route/a?x=1&y goes to /service/a and the query is left to the caller', () => {
    const m = proxy('/service', { paths: ['/route'] }, '/route/a?x=1&y');
    expect(m.upstreamPath).toBe('/service/a');
    expect(`${m.upstreamPath}?x=1&y`).toBe('/service/a?x=1&y');
  });
});

describe('upstreamPathV0', () => {
  it('drops a leading ./ or ../ from the stripped rest', () => {
    expect(upstreamPathV0('/s', '/r./x', 2, true)).toBe('/s/x');
    expect(upstreamPathV0('/s/', '/r../x', 2, true)).toBe('/s/x');
  });

  it('treats a rest of exactly . or .. as empty', () => {
    expect(upstreamPathV0('/s', '/r..', 2, true)).toBe('/s');
    expect(upstreamPathV0('/s', '/r.', 2, true)).toBe('/s');
  });

  it('keeps the trailing slash of the request when the rest is empty and base has none', () => {
    expect(upstreamPathV0('/s', '/r/', 3, true)).toBe('/s/');
  });

  it('keeps base as is when the request ends with / and base does too', () => {
    expect(upstreamPathV0('/s/', '/r/', 3, true)).toBe('/s/');
  });

  it('joins base / without doubling the slash', () => {
    expect(upstreamPathV0('/', '/r/x', 2, true)).toBe('/x');
    expect(upstreamPathV0('/s/', '/r/x', 2, true)).toBe('/s/x');
    expect(upstreamPathV0('/s/', '/r/x', 2, false)).toBe('/s/r/x');
  });

  it('returns the request path itself for base / without strip', () => {
    const req = '/a/b';
    expect(upstreamPathV0('/', req, 2, false)).toBe(req);
  });

  it('treats a path-less match as a matched /', () => {
    expect(upstreamPathV0('/s', '/a/b', -1, true)).toBe('/s/a/b');
    expect(upstreamPathV0('/', '/a/b', -1, true)).toBe('/a/b');
  });
});

describe('X-Forwarded-Prefix', () => {
  it('is the matched prefix when strip_path is on', () => {
    expect(proxy('/service', { paths: ['/route'] }, '/route/a').forwardedPrefix).toBe('/route');
  });

  it('is null when strip_path is off', () => {
    expect(proxy('/service', { paths: ['/route'], strip_path: false }, '/route/a').forwardedPrefix).toBeNull();
  });

  it('is null when the matched prefix is /', () => {
    expect(proxy('/service', { paths: ['/'] }, '/route/a').forwardedPrefix).toBeNull();
  });

  it('is null when the route matched without paths', () => {
    const table = createRouteTable([route({ methods: ['GET'] }, service('/service'))]);
    expect(table.match(query('/x'))!.forwardedPrefix).toBeNull();
  });

  it('is the whole matched text for a regex route', () => {
    const m = proxy('/service', { paths: ['~/users/\\d+'] }, '/users/42/posts');
    expect(m.forwardedPrefix).toBe('/users/42');
    expect(m.upstreamPath).toBe('/service/posts');
  });

  it('is null for an empty regex match', () => {
    expect(forwardedPrefixOf('/a', 0, true)).toBeNull();
  });
});
