import { describe, expect, it } from 'vitest';
import { base, errorLines, load, valid } from './helpers.js';

const svc = (extra: Record<string, unknown>) => ({ _format_version: '3.0', services: [{ name: 'svc', url: 'http://a', ...extra }] });
const route = (r: Record<string, unknown>) => svc({ routes: [{ name: 'r', ...r }] });

describe('services', () => {
  it('splits url into protocol, host, port and path with Kong defaults', () => {
    const c = valid({
      _format_version: '3.0',
      services: [
        { name: 'a', url: 'https://api.example.com' },
        { name: 'b', url: 'http://10.0.0.1:8080/v1/' },
        { name: 'c', host: 'c.internal', protocol: 'https', retries: 0 },
        { name: 'd', url: 'http://[::1]:9000' },
      ],
    });
    expect(c.services.map((s) => [s.protocol, s.host, s.port, s.path])).toEqual([
      ['https', 'api.example.com', 443, null],
      ['http', '10.0.0.1', 8080, '/v1/'],
      ['https', 'c.internal', 443, null],
      ['http', '::1', 9000, null],
    ]);
    expect(c.services[0]).toMatchObject({
      retries: 5,
      connect_timeout: 60000,
      read_timeout: 60000,
      write_timeout: 60000,
      enabled: true,
      tags: null,
    });
    expect(c.services[2]!.retries).toBe(0);
  });
  it('rejects bad urls', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        services: [
          { name: 'a', url: 'not a url' },
          { name: 'b', url: 'http://u:p@h' },
          { name: 'c', url: 'http://h/x?q=1' },
          { name: 'd', url: 'http://h', host: 'h' },
        ],
      }),
    ).toEqual([
      "$.services[0].url: invalid url: 'not a url'",
      '$.services[1].url: url must not contain credentials',
      '$.services[2].url: url must not contain a query string or a fragment',
      "$.services[3].host: cannot be set together with 'url'",
    ]);
  });
  it('requires a host without url and checks name, path, timeouts', () => {
    expect(
      errorLines({ _format_version: '3.0', services: [{ name: 'a b' }, { name: 'ok', host: 'bad_host!', path: 'x', connect_timeout: 0 }] }),
    ).toEqual([
      "$.services[0].name: invalid value 'a b': it must only contain alphanumeric and '., -, _, ~' characters",
      '$.services[0].host: required field missing',
      '$.services[1].host: invalid hostname: bad_host!',
      '$.services[1].path: should start with: /',
      '$.services[1].connect_timeout: value should be between 1 and 2147483646',
    ]);
  });
  it('rejects an id that is not a UUID', () => {
    expect(errorLines(svc({ id: '123' }))).toEqual(['$.services[0].id: expected a valid UUID']);
  });
});

describe('routes', () => {
  it('applies Kong route defaults', () => {
    const r = valid(base()).routes[0]!;
    expect(r).toMatchObject({
      protocols: ['http', 'https'],
      methods: null,
      hosts: null,
      headers: null,
      strip_path: true,
      preserve_host: false,
      regex_priority: 0,
      path_handling: 'v0',
      tags: null,
    });
  });
  it('requires one matching attribute, with the message for the protocols in use', () => {
    expect(errorLines(route({}))).toEqual([
      "$.services[0].routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'",
    ]);
    expect(errorLines(route({ protocols: ['http'], paths: [] }))).toEqual([
      "$.services[0].routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'",
    ]);
  });
  it('validates paths with Kong messages', () => {
    expect(
      errorLines(route({ paths: ['/a//b', '/a/./b', '/a/%7Eb', '~/x(', 'x', '/a%zz', '/ok', '~/orders/\\d+$', '~/(?<id>\\d+)'] })),
    ).toEqual([
      '$.services[0].routes[0].paths[0]: must not have empty segments',
      "$.services[0].routes[0].paths[1]: non-normalized path, consider use '/a/b' instead",
      "$.services[0].routes[0].paths[2]: non-normalized path, consider use '/a/~b' instead",
      "$.services[0].routes[0].paths[3]: invalid regex: '/x(' (Unterminated group)",
      '$.services[0].routes[0].paths[4]: should start with: / (fixed path) or ~/ (regex path)',
      "$.services[0].routes[0].paths[5]: invalid url-encoded value: '%zz'",
    ]);
  });
  it('rewrites regex-looking paths to the ~ form for _format_version 1.1/2.1, with a warning', () => {
    const r = load({ _format_version: '2.1', services: [{ name: 's', url: 'http://a', routes: [{ paths: ['/users/\\d+', '/plain'] }] }] });
    if (!r.ok) throw new Error('expected ok');
    expect(r.config.routes[0]!.paths).toEqual(['~/users/\\d+', '/plain']);
    expect(r.config._format_version).toBe('3.0');
    expect(r.warnings.map((w) => w.path)).toEqual(['$.services[0].routes[0].paths[0]']);
  });
  it('validates hosts: one wildcard at the far left or right, optional port', () => {
    valid(route({ hosts: ['example.com', '*.example.com', 'example.*', 'example.com:8000', '10.0.0.1'] }));
    expect(errorLines(route({ hosts: ['*.a.*', 'a.*.b', 'a.com:99999', 'bad host', '*foo.com'] }))).toEqual([
      '$.services[0].routes[0].hosts[0]: invalid wildcard: cannot have more than one wildcard',
      '$.services[0].routes[0].hosts[1]: invalid wildcard: must be placed at leftmost or rightmost label',
      '$.services[0].routes[0].hosts[2]: invalid port number',
      '$.services[0].routes[0].hosts[3]: invalid hostname: bad host',
      '$.services[0].routes[0].hosts[4]: invalid wildcard: must be placed at leftmost or rightmost label',
    ]);
  });
  it('validates methods, protocols, headers and path_handling', () => {
    expect(
      errorLines(route({ methods: ['get'], protocols: ['tcp'], headers: { Host: ['a'], 'X-V': ['~*('] }, path_handling: 'v2' })),
    ).toEqual([
      '$.services[0].routes[0].protocols[0]: expected one of: grpc, grpcs, http, https',
      "$.services[0].routes[0].methods[0]: invalid value 'get': it must be an uppercase HTTP method",
      "$.services[0].routes[0].headers.Host: cannot contain 'host' header, which must be specified in the 'hosts' attribute",
      `$.services[0].routes[0].headers["X-V"][0]: invalid regex: '(' (Unterminated group)`,
      '$.services[0].routes[0].path_handling: expected one of: v0, v1',
    ]);
  });
  it('accepts path_handling v1 with a warning that v0 rules apply', () => {
    const r = load(route({ paths: ['/'], path_handling: 'v1' }));
    if (!r.ok) throw new Error('expected ok');
    expect(r.config.routes[0]!.path_handling).toBe('v1');
    expect(r.warnings.map((w) => w.path)).toEqual(['$.services[0].routes[0].path_handling']);
  });
  it('compiles regex paths the way the route table does (PCRE (?P<n> accepted)', () => {
    valid(route({ paths: ['~/(?P<id>\\d+)', '~/(?<n>[a-z]+)$'] }));
    expect(errorLines(route({ paths: ['~(?i)/abc'] }))).toEqual([
      '$.services[0].routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)',
    ]);
  });
  it('lower-cases header names', () => {
    expect(valid(route({ headers: { 'X-Version': ['v1', 'v2'] } })).routes[0]!.headers).toEqual({ 'x-version': ['v1', 'v2'] });
  });
  it('resolves a top-level route service by name or by id and rejects dangling ones', () => {
    const id = '0b6f5b5e-9a4d-4d55-8c3e-6c3e7d1b2a10';
    const c = valid({
      _format_version: '3.0',
      services: [
        { name: 's', url: 'http://a' },
        { id, url: 'http://b' },
      ],
      routes: [{ service: 's', paths: ['/a'] }, { service: id, paths: ['/b'] }, { paths: ['/c'] }],
    });
    expect(c.routes.map((r) => r.service)).toEqual([c.services[0]!.id, id, null]);
    expect(errorLines({ _format_version: '3.0', routes: [{ service: 'ghost', paths: ['/'] }] })).toEqual([
      "$.routes[0].service: invalid reference 'service: ghost' (no such entry in 'services')",
    ]);
  });
  it('forbids a nested route from naming its service', () => {
    expect(errorLines(route({ paths: ['/'], service: 'svc' }))).toEqual([
      '$.services[0].routes[0].service: must not be set on a nested entity (the service is implied by nesting)',
    ]);
  });
  it('rejects duplicate route names across services', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        services: [{ name: 'a', url: 'http://a', routes: [{ name: 'r', paths: ['/'] }] }],
        routes: [{ name: 'r', paths: ['/x'] }],
      }),
    ).toEqual(["$.routes[0].name: uniqueness violation: 'routes' entity with name set to 'r' already declared"]);
  });
});

describe('consumers and jwt_secrets', () => {
  it('requires username or custom_id', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [{ tags: ['a'] }, { custom_id: 'c1' }] })).toEqual([
      "$.consumers[0]: at least one of these fields must be non-empty: 'custom_id', 'username'",
    ]);
  });
  it('rejects duplicate username and custom_id', () => {
    expect(
      errorLines({ _format_version: '3.0', consumers: [{ username: 'bob', custom_id: 'c' }, { username: 'bob' }, { custom_id: 'c' }] }),
    ).toEqual([
      "$.consumers[1].username: uniqueness violation: 'consumers' entity with username set to 'bob' already declared",
      "$.consumers[2].custom_id: uniqueness violation: 'consumers' entity with custom_id set to 'c' already declared",
    ]);
  });
  it('rejects a jwt key used twice, across consumers and top-level credentials', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        consumers: [{ username: 'a', jwt_secrets: [{ key: 'x', secret: 's' }] }, { username: 'b' }],
        jwt_secrets: [{ consumer: 'b', key: 'x', secret: 't' }],
      }),
    ).toEqual(["$.jwt_secrets[0].key: uniqueness violation: 'jwt_secrets' entity with key set to 'x' already declared"]);
  });
  it('resolves top-level credentials to consumers by username or id, and reports dangling ones', () => {
    const c = valid({
      _format_version: '3.0',
      consumers: [{ username: 'alice' }],
      jwt_secrets: [{ consumer: 'alice', key: 'k1', secret: 's' }],
    });
    expect(c.jwt_secrets[0]!.consumer).toBe(c.consumers[0]!.id);
    const byId = valid({
      _format_version: '3.0',
      consumers: [{ username: 'alice' }],
      jwt_secrets: [{ consumer: c.consumers[0]!.id, key: 'k1', secret: 's' }],
    });
    expect(byId.jwt_secrets[0]!.consumer).toBe(c.consumers[0]!.id);
    expect(errorLines({ _format_version: '3.0', jwt_secrets: [{ consumer: 'bob', key: 'k', secret: 's' }, { key: 'k2' }] })).toEqual([
      '$.jwt_secrets[1].consumer: required field missing',
      "$.jwt_secrets[0].consumer: invalid reference 'consumer: bob' (no such entry in 'consumers')",
    ]);
  });
  it('defaults algorithm to HS256 and generates a missing key and secret with a warning', () => {
    const r = load({ _format_version: '3.0', consumers: [{ username: 'u', jwt_secrets: [{}] }] });
    if (!r.ok) throw new Error('expected ok');
    const s = r.config.jwt_secrets[0]!;
    expect(s.algorithm).toBe('HS256');
    expect(s.key).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(s.secret).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(r.warnings.map((w) => w.path)).toEqual(['$.consumers[0].jwt_secrets[0].key', '$.consumers[0].jwt_secrets[0].secret']);
  });
  it('requires rsa_public_key for RS*, PS* and EdDSA but not ES*', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        consumers: [
          {
            username: 'u',
            jwt_secrets: [
              { key: 'a', algorithm: 'RS256' },
              { key: 'b', algorithm: 'PS384' },
              { key: 'c', algorithm: 'EdDSA' },
              { key: 'd', algorithm: 'ES256' },
            ],
          },
        ],
      }),
    ).toEqual([
      '$.consumers[0].jwt_secrets[0].rsa_public_key: required field missing',
      '$.consumers[0].jwt_secrets[1].rsa_public_key: required field missing',
      '$.consumers[0].jwt_secrets[2].rsa_public_key: required field missing',
    ]);
  });
  it('rejects plugins nested in a consumer', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [{ username: 'u', plugins: [{ name: 'jwt' }] }] })).toEqual([
      "$.consumers[0].plugins[0]: plugin 'jwt' cannot be scoped to a consumer (consumer: value must be null)",
    ]);
  });
});
