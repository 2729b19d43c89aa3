import { describe, expect, it } from 'vitest';
import { formatConfigErrors, loadConfigText } from '../../../src/config/load.js';
import { errorLines, valid } from './helpers.js';

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
    valid({
      _format_version: '3.0',
      _transform: true,
      _comment: 'hi',
      _ignore: [1],
      services: [{ name: 's', url: 'http://a', _comment: 'c', routes: [{ paths: ['/'], _ignore: [] }] }],
      consumers: [{ username: 'u', _comment: 'x', jwt_secrets: [{ key: 'k', secret: 's', _comment: 'y' }] }],
    });
  });
  it('reports unknown fields with their path, at every level', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        servics: [],
        gateway: { workerz: 1 },
        services: [{ name: 's', url: 'http://a', timeout: 5, routes: [{ paths: ['/'], strip: true }] }],
        consumers: [{ username: 'u', jwt_secrets: [{ key: 'k', secret: 's', alg: 'HS256' }] }],
      }),
    ).toEqual([
      '$.servics: unknown field',
      '$.gateway.workerz: unknown field',
      '$.services[0].timeout: unknown field',
      '$.services[0].routes[0].strip: unknown field',
      '$.consumers[0].jwt_secrets[0].alg: unknown field',
    ]);
  });
  it('reports wrong types with Kong messages', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        services: {},
        consumers: [{ username: 5 }],
        routes: [{ paths: '/x', strip_path: 'yes', regex_priority: 1.5 }],
      }),
    ).toEqual([
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
      services: [
        { name: 'a', url: 'ftp://x' },
        { name: 'a', host: 'h', port: 70000 },
      ],
      routes: [{ service: 'nope', paths: ['x'] }],
      plugins: [{ name: 'key-auth' }],
      consumers: [
        {},
        {
          username: 'bob',
          jwt_secrets: [
            { key: 'k', secret: 's' },
            { key: 'k', secret: 's', algorithm: 'HS1' },
          ],
        },
      ],
    });
    expect(lines).toEqual([
      "$.services[0].url: unsupported protocol 'ftp' in url (expected one of: grpc, grpcs, http, https)",
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
    expect(
      formatConfigErrors([
        { path: '$.a', message: 'x' },
        { path: '$.b[0]', message: 'y' },
      ]),
    ).toBe('$.a: x\n$.b[0]: y');
  });
  it('quotes keys that are not identifiers in paths', () => {
    expect(errorLines(route({ paths: ['/'], headers: { 'x-v': 'a' } }))).toEqual([
      '$.services[0].routes[0].headers["x-v"]: expected a non-empty array of strings',
    ]);
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

describe('ids', () => {
  const doc = {
    _format_version: '3.0',
    services: [{ name: 's', url: 'http://a', routes: [{ name: 'r', paths: ['/'] }, { paths: ['/x'] }], plugins: [{ name: 'jwt' }] }],
    consumers: [{ username: 'alice', jwt_secrets: [{ key: 'k', secret: 's' }] }, { custom_id: 'c7' }],
  };
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
    expect(
      errorLines({
        _format_version: '3.0',
        consumers: [
          { username: 'a', id },
          { username: 'b', id },
        ],
      }),
    ).toEqual([`$.consumers[1].id: uniqueness violation: 'consumers' entity with id set to '${id.toLowerCase()}' already declared`]);
  });
});
