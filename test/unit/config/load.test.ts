import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { formatConfigErrors, loadConfigText } from '../../../src/config/load.js';
import { base, errorLines, load, valid } from './helpers.js';

const svc = (extra: Record<string, unknown>) => ({ _format_version: '3.0', services: [{ name: 'svc', url: 'http://a', ...extra }] });
const route = (r: Record<string, unknown>) => svc({ routes: [{ name: 'r', ...r }] });

describe('top level', () => {
  it('reports a missing _format_version', () => {
    expect(errorLines({ services: [] })).toEqual(['$._format_version: required field missing']);
  });
  it('rejects an unsupported _format_version', () => {
    expect(errorLines({ _format_version: '2.0' })).toEqual(['$._format_version: expected one of: 1.1, 2.1, 3.0']);
    expect(errorLines({ _format_version: 3 })).toEqual(['$._format_version: expected a string']);
  });
  it('accepts _transform, _comment and _ignore at the top and in entities', () => {
    valid({ _format_version: '3.0', _transform: true, _comment: 'hi', _ignore: [1],
      services: [{ name: 's', url: 'http://a', _comment: 'c', routes: [{ paths: ['/'], _ignore: [] }] }],
      consumers: [{ username: 'u', _comment: 'x', jwt_secrets: [{ key: 'k', secret: 's', _comment: 'y' }] }] });
  });
  it('reports unknown fields with their path, at every level', () => {
    expect(errorLines({ _format_version: '3.0', servics: [], gateway: { workerz: 1 },
      services: [{ name: 's', url: 'http://a', timeout: 5, routes: [{ paths: ['/'], strip: true }] }],
      consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', secret: 's', alg: 'HS256' }] }],
    })).toEqual([
      '$.servics: unknown field',
      '$.gateway.workerz: unknown field',
      '$.services[0].timeout: unknown field',
      '$.services[0].routes[0].strip: unknown field',
      '$.consumers[0].jwt_secrets[0].alg: unknown field',
    ]);
  });
  it('reports wrong types with Kong messages', () => {
    expect(errorLines({ _format_version: '3.0', services: {}, consumers: [{ username: 5 }],
      routes: [{ paths: '/x', strip_path: 'yes', regex_priority: 1.5 }] })).toEqual([
      '$.services: expected an array',
      '$.routes[0].paths: expected an array',
      "$.routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'",
      '$.routes[0].strip_path: expected a boolean',
      '$.routes[0].regex_priority: expected an integer',
      '$.consumers[0].username: expected a string',
    ]);
  });
  it('reports every error of a file at once', () => {
    const lines = errorLines({
      _format_version: '3.0',
      services: [{ name: 'a', url: 'ftp://x' }, { name: 'a', host: 'h', port: 70000 }],
      routes: [{ service: 'nope', paths: ['x'] }],
      plugins: [{ name: 'key-auth' }],
      consumers: [{}, { username: 'bob', jwt_secrets: [{ key: 'k', secret: 's' }, { key: 'k', secret: 's', algorithm: 'HS1' }] }],
    });
    expect(lines).toEqual([
      "$.services[0].url: unsupported protocol 'ftp' in url (expected one of: http, https)",
      '$.services[1].port: value should be between 0 and 65535',
      '$.routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)',
      "$.plugins[0].name: plugin 'key-auth' is not supported by portcullis (supported: jwt)",
      "$.consumers[0]: at least one of these fields must be non-empty: 'custom_id', 'username'",
      '$.consumers[1].jwt_secrets[1].algorithm: expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA',
      "$.services[1].name: uniqueness violation: 'services' entity with name set to 'a' already declared",
      "$.consumers[1].jwt_secrets[1].key: uniqueness violation: 'jwt_secrets' entity with key set to 'k' already declared",
      "$.routes[0].service: invalid reference 'service: nope' (no such entry in 'services')",
    ]);
  });
  it('formats errors one per line as path: message', () => {
    expect(formatConfigErrors([{ path: '$.a', message: 'x' }, { path: '$.b[0]', message: 'y' }])).toBe('$.a: x\n$.b[0]: y');
  });
  it('quotes keys that are not identifiers in paths', () => {
    expect(errorLines(route({ paths: ['/'], headers: { 'x-v': 'a' } }))).toEqual(['$.services[0].routes[0].headers["x-v"]: expected a non-empty array of strings']);
  });
});

describe('parsing', () => {
  it('reports a JSON syntax error with line and column', () => {
    const r = loadConfigText('{\n  "_format_version": "3.0",\n  "services": [,]\n}', 'json', 'f.json');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toEqual([{ path: '$', message: 'invalid JSON at line 3, column 16: unexpected character ","' }]);
  });
  it('reports truncated JSON', () => {
    const r = loadConfigText('{"a": [1, 2', 'json', 'f.json');
    if (r.ok) throw new Error('expected failure');
    expect(r.errors[0]!.message).toBe('invalid JSON at line 1, column 12: unexpected end of input');
  });
  it('reads YAML and validates it like JSON', () => {
    const yaml = [
      '_format_version: "3.0"',
      'services:',
      '  - name: orders',
      '    url: http://orders.internal:8080/api',
      '    routes:',
      '      - name: orders',
      '        paths: [/orders]',
      '    plugins:',
      '      - name: jwt',
      '        config: { claims_to_verify: [exp, iat] }',
    ].join('\n');
    const r = loadConfigText(yaml, 'yaml', 'kong.yml');
    if (r.ok) throw new Error('expected failure');
    expect(formatConfigErrors(r.errors)).toBe('$.services[0].plugins[0].config.claims_to_verify[1]: expected one of: exp, nbf');
  });
  it('reports a YAML syntax error with line and column', () => {
    const r = loadConfigText('_format_version: "3.0"\nservices:\n  - name: [a\n', 'yaml', 'kong.yml');
    if (r.ok) throw new Error('expected failure');
    expect(r.errors[0]!.message).toMatch(/^invalid YAML at line \d+, column \d+: /);
  });
  it('rejects duplicate keys in YAML', () => {
    const r = loadConfigText('_format_version: "3.0"\n_format_version: "3.0"\n', 'yaml', 'kong.yml');
    if (r.ok) throw new Error('expected failure');
    expect(r.errors[0]!.message).toMatch(/^invalid YAML at line 2, column 1: Map keys must be unique/);
  });
});

describe('gateway section', () => {
  it('applies the defaults', () => {
    const g = valid(base()).gateway;
    expect(g).toEqual({
      proxy_listen: { host: '0.0.0.0', port: 8000 },
      admin_listen: { host: '127.0.0.1', port: 8001 },
      workers: availableParallelism(),
      max_header_bytes: 16384,
      max_body_bytes: 1073741824,
      log_level: 'info',
      drain_timeout_ms: 10000,
      token_cache: { enabled: true, max_entries: 100000, max_bytes: 67108864, max_token_bytes: 8192 },
    });
  });
  it('reads explicit values, IPv6 listen addresses and admin "off"', () => {
    const g = valid(base({ gateway: { proxy_listen: '[::1]:0', admin_listen: 'off', workers: 3, log_level: 'warn',
      token_cache: { enabled: false } } })).gateway;
    expect(g.proxy_listen).toEqual({ host: '::1', port: 0 });
    expect(g.admin_listen).toBeNull();
    expect(g.workers).toBe(3);
    expect(g.log_level).toBe('warn');
    expect(g.token_cache.enabled).toBe(false);
  });
  it('rejects bad gateway values', () => {
    expect(errorLines(base({ gateway: { proxy_listen: '8000', admin_listen: 'no', workers: 0, max_header_bytes: 100,
      log_level: 'loud', token_cache: { max_entries: 'many' } } }))).toEqual([
      '$.gateway.workers: value should be between 1 and 64',
      "$.gateway.proxy_listen: expected 'host:port' (e.g. '0.0.0.0:8000')",
      "$.gateway.admin_listen: expected 'host:port' (e.g. '127.0.0.1:8001') or 'off'",
      '$.gateway.max_header_bytes: value should be between 4096 and 1048576',
      '$.gateway.log_level: expected one of: fatal, error, warn, info, debug, trace, silent',
      '$.gateway.token_cache.max_entries: expected an integer',
    ]);
    expect(errorLines(base({ gateway: { workers: 'many' } }))).toEqual(["$.gateway.workers: expected 'auto' or an integer"]);
  });
});

describe('services', () => {
  it('splits url into protocol, host, port and path with Kong defaults', () => {
    const c = valid({ _format_version: '3.0', services: [
      { name: 'a', url: 'https://api.example.com' },
      { name: 'b', url: 'http://10.0.0.1:8080/v1/' },
      { name: 'c', host: 'c.internal', protocol: 'https', retries: 0 },
      { name: 'd', url: 'http://[::1]:9000' },
    ] });
    expect(c.services.map((s) => [s.protocol, s.host, s.port, s.path])).toEqual([
      ['https', 'api.example.com', 443, null], ['http', '10.0.0.1', 8080, '/v1/'], ['https', 'c.internal', 443, null], ['http', '::1', 9000, null],
    ]);
    expect(c.services[0]).toMatchObject({ retries: 5, connect_timeout: 60000, read_timeout: 60000, write_timeout: 60000, enabled: true, tags: null });
    expect(c.services[2]!.retries).toBe(0);
  });
  it('rejects bad urls', () => {
    expect(errorLines({ _format_version: '3.0', services: [
      { name: 'a', url: 'not a url' }, { name: 'b', url: 'http://u:p@h' }, { name: 'c', url: 'http://h/x?q=1' },
      { name: 'd', url: 'http://h', host: 'h' },
    ] })).toEqual([
      "$.services[0].url: invalid url: 'not a url'",
      '$.services[1].url: url must not contain credentials',
      '$.services[2].url: url must not contain a query string or a fragment',
      "$.services[3].host: cannot be set together with 'url'",
    ]);
  });
  it('requires a host without url and checks name, path, timeouts', () => {
    expect(errorLines({ _format_version: '3.0', services: [
      { name: 'a b' }, { name: 'ok', host: 'bad_host!', path: 'x', connect_timeout: 0 },
    ] })).toEqual([
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
    expect(r).toMatchObject({ protocols: ['http', 'https'], methods: null, hosts: null, headers: null, strip_path: true,
      preserve_host: false, regex_priority: 0, path_handling: 'v0', tags: null });
  });
  it('requires one matching attribute, with the message for the protocols in use', () => {
    expect(errorLines(route({}))).toEqual([
      "$.services[0].routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"]);
    expect(errorLines(route({ protocols: ['http'], paths: [] }))).toEqual([
      "$.services[0].routes[0]: must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"]);
  });
  it('validates paths with Kong messages', () => {
    expect(errorLines(route({ paths: ['/a//b', '/a/./b', '/a/%7Eb', '~/x(', 'x', '/a%zz', '/ok', '~/orders/\\d+$', '~/(?<id>\\d+)'] }))).toEqual([
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
    expect(errorLines(route({ methods: ['get'], protocols: ['grpc'], headers: { Host: ['a'], 'X-V': ['~*('] }, path_handling: 'v2' }))).toEqual([
      '$.services[0].routes[0].protocols[0]: expected one of: http, https',
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
      '$.services[0].routes[0].paths[0]: should start with: / (fixed path) or ~/ (regex path)']);
  });
  it('lower-cases header names', () => {
    expect(valid(route({ headers: { 'X-Version': ['v1', 'v2'] } })).routes[0]!.headers).toEqual({ 'x-version': ['v1', 'v2'] });
  });
  it('resolves a top-level route service by name or by id and rejects dangling ones', () => {
    const id = '0b6f5b5e-9a4d-4d55-8c3e-6c3e7d1b2a10';
    const c = valid({ _format_version: '3.0', services: [{ name: 's', url: 'http://a' }, { id, url: 'http://b' }],
      routes: [{ service: 's', paths: ['/a'] }, { service: id, paths: ['/b'] }, { paths: ['/c'] }] });
    expect(c.routes.map((r) => r.service)).toEqual([c.services[0]!.id, id, null]);
    expect(errorLines({ _format_version: '3.0', routes: [{ service: 'ghost', paths: ['/'] }] })).toEqual([
      "$.routes[0].service: invalid reference 'service: ghost' (no such entry in 'services')"]);
  });
  it('forbids a nested route from naming its service', () => {
    expect(errorLines(route({ paths: ['/'], service: 'svc' }))).toEqual([
      '$.services[0].routes[0].service: must not be set on a nested entity (the service is implied by nesting)']);
  });
  it('rejects duplicate route names across services', () => {
    expect(errorLines({ _format_version: '3.0', services: [{ name: 'a', url: 'http://a', routes: [{ name: 'r', paths: ['/'] }] }],
      routes: [{ name: 'r', paths: ['/x'] }] })).toEqual([
      "$.routes[0].name: uniqueness violation: 'routes' entity with name set to 'r' already declared"]);
  });
});

describe('consumers and jwt_secrets', () => {
  it('requires username or custom_id', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [{ tags: ['a'] }, { custom_id: 'c1' }] })).toEqual([
      "$.consumers[0]: at least one of these fields must be non-empty: 'custom_id', 'username'"]);
  });
  it('rejects duplicate username and custom_id', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [
      { username: 'bob', custom_id: 'c' }, { username: 'bob' }, { custom_id: 'c' }] })).toEqual([
      "$.consumers[1].username: uniqueness violation: 'consumers' entity with username set to 'bob' already declared",
      "$.consumers[2].custom_id: uniqueness violation: 'consumers' entity with custom_id set to 'c' already declared",
    ]);
  });
  it('rejects a jwt key used twice, across consumers and top-level credentials', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [
      { username: 'a', jwt_secrets: [{ key: 'x', secret: 's' }] }, { username: 'b' }],
      jwt_secrets: [{ consumer: 'b', key: 'x', secret: 't' }] })).toEqual([
      "$.jwt_secrets[0].key: uniqueness violation: 'jwt_secrets' entity with key set to 'x' already declared"]);
  });
  it('resolves top-level credentials to consumers by username or id, and reports dangling ones', () => {
    const c = valid({ _format_version: '3.0', consumers: [{ username: 'alice' }],
      jwt_secrets: [{ consumer: 'alice', key: 'k1', secret: 's' }] });
    expect(c.jwt_secrets[0]!.consumer).toBe(c.consumers[0]!.id);
    const byId = valid({ _format_version: '3.0', consumers: [{ username: 'alice' }],
      jwt_secrets: [{ consumer: c.consumers[0]!.id, key: 'k1', secret: 's' }] });
    expect(byId.jwt_secrets[0]!.consumer).toBe(c.consumers[0]!.id);
    expect(errorLines({ _format_version: '3.0', jwt_secrets: [{ consumer: 'bob', key: 'k', secret: 's' }, { key: 'k2' }] })).toEqual([
      "$.jwt_secrets[1].consumer: required field missing",
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
    expect(errorLines({ _format_version: '3.0', consumers: [{ username: 'u', jwt_secrets: [
      { key: 'a', algorithm: 'RS256' }, { key: 'b', algorithm: 'PS384' }, { key: 'c', algorithm: 'EdDSA' }, { key: 'd', algorithm: 'ES256' },
    ] }] })).toEqual([
      '$.consumers[0].jwt_secrets[0].rsa_public_key: required field missing',
      '$.consumers[0].jwt_secrets[1].rsa_public_key: required field missing',
      '$.consumers[0].jwt_secrets[2].rsa_public_key: required field missing',
    ]);
  });
  it('rejects plugins nested in a consumer', () => {
    expect(errorLines({ _format_version: '3.0', consumers: [{ username: 'u', plugins: [{ name: 'jwt' }] }] })).toEqual([
      "$.consumers[0].plugins[0]: plugin 'jwt' cannot be scoped to a consumer (consumer: value must be null)"]);
  });
});

describe('plugins', () => {
  it('applies the jwt config defaults', () => {
    const c = valid(base({ plugins: [{ name: 'jwt' }] }));
    expect(c.plugins[0]).toMatchObject({ name: 'jwt', enabled: true, service: null, route: null, tags: null,
      protocols: ['grpc', 'grpcs', 'http', 'https'] });
    expect(c.plugins[0]!.config).toEqual({ uri_param_names: ['jwt'], cookie_names: [], header_names: ['authorization'],
      key_claim_name: 'iss', secret_is_base64: false, claims_to_verify: null, anonymous: null, run_on_preflight: true,
      maximum_expiration: 0, realm: null });
  });
  it('accepts maximum_expiration 60 with claims_to_verify exp and nbf (Kong schema case 90)', () => {
    valid(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: 60, claims_to_verify: ['exp', 'nbf'] } }] }));
  });
  it('rejects a negative maximum_expiration (Kong schema case 91)', () => {
    for (const claims of [['exp', 'nbf'], ['nbf']]) {
      expect(errorLines(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: -1, claims_to_verify: claims } }] }))).toEqual([
        '$.plugins[0].config.maximum_expiration: value should be between 0 and 31536000']);
    }
  });
  it('requires exp in claims_to_verify when maximum_expiration is set (Kong schema case 92)', () => {
    expect(errorLines(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: 60, claims_to_verify: ['nbf'] } }] }))).toEqual([
      '$.plugins[0].config.claims_to_verify: expected to contain: exp']);
  });
  it('rejects unknown claims, unknown config fields and wrong types', () => {
    expect(errorLines(base({ plugins: [{ name: 'jwt', config: { claims_to_verify: ['iat'], leeway: 5, secret_is_base64: 'no',
      header_names: 'authorization', secret_is_base64_: 1 } }] }))).toEqual([
      '$.plugins[0].config.leeway: unknown field',
      '$.plugins[0].config.secret_is_base64_: unknown field',
      '$.plugins[0].config.claims_to_verify[0]: expected one of: exp, nbf',
      '$.plugins[0].config.header_names: expected a set',
      '$.plugins[0].config.secret_is_base64: expected a boolean',
    ]);
  });
  it('warns when the anonymous consumer does not exist', () => {
    const r = load(base({ consumers: [{ username: 'guest' }], plugins: [{ name: 'jwt', config: { anonymous: 'nobody' } },
      { name: 'jwt', service: 'svc', config: { anonymous: 'guest' } }] }));
    if (!r.ok) throw new Error('expected ok');
    expect(r.warnings).toEqual([{ path: '$.plugins[0].config.anonymous',
      message: "anonymous consumer 'nobody' does not exist: requests that fail authentication will get 500" }]);
  });
  it('rejects plugins other than jwt', () => {
    expect(errorLines(base({ plugins: [{ name: 'rate-limiting', config: { minute: 5 } }] }))).toEqual([
      "$.plugins[0].name: plugin 'rate-limiting' is not supported by portcullis (supported: jwt)"]);
  });
  it('rejects a consumer-scoped jwt plugin', () => {
    expect(errorLines(base({ consumers: [{ username: 'u' }], plugins: [{ name: 'jwt', consumer: 'u' }] }))).toEqual([
      '$.plugins[0].consumer: value must be null']);
  });
  it('rejects a second jwt plugin on the same scope', () => {
    expect(errorLines({ _format_version: '3.0',
      services: [{ name: 's', url: 'http://a', plugins: [{ name: 'jwt' }], routes: [{ name: 'r', paths: ['/'] }] }],
      plugins: [{ name: 'jwt', service: 's' }, { name: 'jwt', route: 'r' }, { name: 'jwt', route: 'r', service: 's' }],
    })).toEqual([
      "$.plugins[0].name: uniqueness violation: 'plugins' entity with name set to 'jwt' already declared for service 's' (at $.services[0].plugins[0])"]);
  });
  it('resolves plugin scope from nesting and from references, and reports dangling references', () => {
    const c = valid({ _format_version: '3.0',
      services: [{ name: 's', url: 'http://a', plugins: [{ name: 'jwt' }],
        routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'jwt', enabled: false }] }] }],
      plugins: [{ name: 'jwt', route: 'r', service: 's' }] });
    const [svcId, routeId] = [c.services[0]!.id, c.routes[0]!.id];
    expect(c.plugins.map((p) => [p.service, p.route, p.enabled])).toEqual([
      [null, routeId, false], [svcId, null, true], [svcId, routeId, true]]);
    expect(errorLines(base({ plugins: [{ name: 'jwt', route: 'nope' }] }))).toEqual([
      "$.plugins[0].route: invalid reference 'route: nope' (no such entry in 'routes')"]);
  });
});

describe('ids', () => {
  const doc = { _format_version: '3.0',
    services: [{ name: 's', url: 'http://a', routes: [{ name: 'r', paths: ['/'] }, { paths: ['/x'] }], plugins: [{ name: 'jwt' }] }],
    consumers: [{ username: 'alice', jwt_secrets: [{ key: 'k', secret: 's' }] }, { custom_id: 'c7' }] };
  it('derives the same UUIDv5 ids on every load', () => {
    const a = valid(doc);
    const b = valid(structuredClone(doc));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const ids = [...a.services, ...a.routes, ...a.plugins, ...a.consumers, ...a.jwt_secrets].map((e) => e.id);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
  it('keeps a given id (lower-cased) and rejects a duplicate one', () => {
    const id = 'AAAAAAAA-0000-4000-8000-000000000001';
    expect(valid(svc({ id })).services[0]!.id).toBe(id.toLowerCase());
    expect(errorLines({ _format_version: '3.0', consumers: [{ username: 'a', id }, { username: 'b', id }] })).toEqual([
      `$.consumers[1].id: uniqueness violation: 'consumers' entity with id set to '${id.toLowerCase()}' already declared`]);
  });
});
