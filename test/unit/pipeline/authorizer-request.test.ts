import { describe, expect, it } from 'vitest';
import { RequestSnapshot } from '../../../src/server/request-snapshot.js';
import {
  BAD_SHAPE,
  OUTSIDE_PREFIX,
  reconstructRequest,
  type AuthorizerSource,
  type OriginalRequest,
} from '../../../src/pipeline/authorizer-request.js';

function subrequest(method: string, target: string, headers: Record<string, string>): RequestSnapshot {
  const s = new RequestSnapshot(8003);
  s.method = method;
  const q = target.indexOf('?');
  s.url = q < 0 ? target : target.slice(0, q);
  s.query = q < 0 ? '' : target.slice(q + 1);
  for (const [name, value] of Object.entries(headers)) s.headers.push(name, value);
  s.host = headers.host ?? '';
  return s;
}

function rebuild(
  s: RequestSnapshot,
  source: AuthorizerSource = 'auto',
  prefix = '',
): Pick<OriginalRequest, 'source' | 'method' | 'host' | 'url' | 'query' | 'listenPort'> | number {
  const o = reconstructRequest(s, source, prefix);
  if (typeof o === 'number') return o;
  return { source: o.source, method: o.method, host: o.host, url: o.url, query: o.query, listenPort: o.listenPort };
}

describe('reconstructRequest', () => {
  it('reads Traefik forwardAuth headers first', () => {
    expect(
      rebuild(
        subrequest('GET', '/', {
          host: 'authz',
          'x-forwarded-method': 'PATCH',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'api.test',
          'x-forwarded-uri': '/v1/items?id=7&jwt=t',
          'x-original-uri': '/ignored',
        }),
      ),
    ).toEqual({ source: 'traefik', method: 'PATCH', host: 'api.test', url: '/v1/items', query: 'id=7&jwt=t', listenPort: 443 });
  });

  it('reads nginx X-Original-URI/-Method with the Host header next', () => {
    expect(
      rebuild(subrequest('GET', '/_auth', { host: 'api.test:8080', 'x-original-uri': '/a/b?c', 'x-original-method': 'DELETE' })),
    ).toEqual({ source: 'nginx', method: 'DELETE', host: 'api.test:8080', url: '/a/b', query: 'c', listenPort: 80 });
  });

  it('takes host and path from ingress-nginx X-Original-URL', () => {
    const s = (url: string) => subrequest('GET', '/', { host: 'authz.svc', 'x-original-url': url, 'x-original-method': 'GET' });
    expect(rebuild(s('https://api.test/a?b=1'))).toMatchObject({ host: 'api.test', url: '/a', query: 'b=1', listenPort: 443 });
    expect(rebuild(s('http://api.test'))).toMatchObject({ host: 'api.test', url: '/', query: '' });
    expect(rebuild(s('http://api.test?x=1'))).toMatchObject({ host: 'api.test', url: '/', query: 'x=1' });
  });

  it('falls back to the Envoy shape: the subrequest itself, path_prefix removed', () => {
    expect(rebuild(subrequest('PUT', '/authz/a/b?x=1', { host: 'api.test' }), 'auto', '/authz')).toEqual({
      source: 'envoy',
      method: 'PUT',
      host: 'api.test',
      url: '/a/b',
      query: 'x=1',
      listenPort: 80,
    });
    expect(rebuild(subrequest('GET', '/authz', { host: 'a' }), 'auto', '/authz')).toMatchObject({ url: '/' });
    expect(rebuild(subrequest('GET', '/authzed/a', { host: 'a' }), 'auto', '/authz')).toBe(OUTSIDE_PREFIX);
  });

  it('honours a pinned source, ignoring the other shapes’ headers', () => {
    const spoofed = subrequest('GET', '/', {
      host: 'a',
      'x-forwarded-uri': '/open',
      'x-original-uri': '/secure',
      'x-original-method': 'GET',
    });
    expect(rebuild(spoofed, 'nginx')).toMatchObject({ source: 'nginx', url: '/secure' });
    expect(rebuild(spoofed, 'envoy')).toMatchObject({ source: 'envoy', url: '/' });
    expect(rebuild(subrequest('GET', '/', { host: 'a' }), 'traefik')).toBe(BAD_SHAPE);
    expect(rebuild(subrequest('GET', '/', { host: 'a' }), 'nginx')).toBe(BAD_SHAPE);
  });

  it('refuses a target that is not a path', () => {
    expect(rebuild(subrequest('GET', '/', { 'x-forwarded-uri': 'http://evil/' }))).toBe(BAD_SHAPE);
    expect(rebuild(subrequest('GET', '/', { 'x-original-method': 'GET' }))).toBe(BAD_SHAPE);
  });
});
