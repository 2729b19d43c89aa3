import { describe, expect, it } from 'vitest';
import { base, errorLines, load, valid } from './helpers.js';

describe('plugins', () => {
  it('applies the jwt config defaults', () => {
    const c = valid(base({ plugins: [{ name: 'jwt' }] }));
    expect(c.plugins[0]).toMatchObject({
      name: 'jwt',
      enabled: true,
      service: null,
      route: null,
      tags: null,
      protocols: ['grpc', 'grpcs', 'http', 'https'],
    });
    expect(c.plugins[0]!.config).toEqual({
      uri_param_names: ['jwt'],
      cookie_names: [],
      header_names: ['authorization'],
      key_claim_name: 'iss',
      secret_is_base64: false,
      claims_to_verify: null,
      anonymous: null,
      run_on_preflight: true,
      maximum_expiration: 0,
      realm: null,
    });
  });
  it('accepts maximum_expiration 60 with claims_to_verify exp and nbf (Kong schema case 90)', () => {
    valid(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: 60, claims_to_verify: ['exp', 'nbf'] } }] }));
  });
  it('rejects a negative maximum_expiration (Kong schema case 91)', () => {
    for (const claims of [['exp', 'nbf'], ['nbf']]) {
      expect(errorLines(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: -1, claims_to_verify: claims } }] }))).toEqual([
        '$.plugins[0].config.maximum_expiration: value should be between 0 and 31536000',
      ]);
    }
  });
  it('requires exp in claims_to_verify when maximum_expiration is set (Kong schema case 92)', () => {
    expect(errorLines(base({ plugins: [{ name: 'jwt', config: { maximum_expiration: 60, claims_to_verify: ['nbf'] } }] }))).toEqual([
      '$.plugins[0].config.claims_to_verify: expected to contain: exp',
    ]);
  });
  it('rejects unknown claims, unknown config fields and wrong types', () => {
    expect(
      errorLines(
        base({
          plugins: [
            {
              name: 'jwt',
              config: {
                claims_to_verify: ['iat'],
                clock_skew: 5,
                secret_is_base64: 'no',
                header_names: 'authorization',
                secret_is_base64_: 1,
              },
            },
          ],
        }),
      ),
    ).toEqual([
      '$.plugins[0].config.clock_skew: unknown field',
      '$.plugins[0].config.secret_is_base64_: unknown field',
      '$.plugins[0].config.claims_to_verify[0]: expected one of: exp, nbf',
      '$.plugins[0].config.header_names: expected a set',
      '$.plugins[0].config.secret_is_base64: expected a boolean',
    ]);
  });
  it('warns when the anonymous consumer does not exist', () => {
    const r = load(
      base({
        consumers: [{ username: 'guest' }],
        plugins: [
          { name: 'jwt', config: { anonymous: 'nobody' } },
          { name: 'jwt', service: 'svc', config: { anonymous: 'guest' } },
        ],
      }),
    );
    if (!r.ok) throw new Error('expected ok');
    expect(r.warnings).toEqual([
      {
        path: '$.plugins[0].config.anonymous',
        message: "anonymous consumer 'nobody' does not exist: requests that fail authentication will get 500",
      },
    ]);
  });
  it('rejects plugins other than jwt', () => {
    expect(errorLines(base({ plugins: [{ name: 'rate-limiting', config: { minute: 5 } }] }))).toEqual([
      "$.plugins[0].name: plugin 'rate-limiting' is not supported by portcullis (supported: jwt)",
    ]);
  });
  it('rejects a consumer-scoped jwt plugin', () => {
    expect(errorLines(base({ consumers: [{ username: 'u' }], plugins: [{ name: 'jwt', consumer: 'u' }] }))).toEqual([
      '$.plugins[0].consumer: value must be null',
    ]);
  });
  it('rejects a second jwt plugin on the same scope', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        services: [{ name: 's', url: 'http://a', plugins: [{ name: 'jwt' }], routes: [{ name: 'r', paths: ['/'] }] }],
        plugins: [
          { name: 'jwt', service: 's' },
          { name: 'jwt', route: 'r' },
          { name: 'jwt', route: 'r', service: 's' },
        ],
      }),
    ).toEqual([
      "$.plugins[0].name: uniqueness violation: 'plugins' entity with name set to 'jwt' already declared for service 's' (at $.services[0].plugins[0])",
    ]);
  });
  it('resolves plugin scope from nesting and from references, and reports dangling references', () => {
    const c = valid({
      _format_version: '3.0',
      services: [
        {
          name: 's',
          url: 'http://a',
          plugins: [{ name: 'jwt' }],
          routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'jwt', enabled: false }] }],
        },
      ],
      plugins: [{ name: 'jwt', route: 'r', service: 's' }],
    });
    const [svcId, routeId] = [c.services[0]!.id, c.routes[0]!.id];
    expect(c.plugins.map((p) => [p.service, p.route, p.enabled])).toEqual([
      [null, routeId, false],
      [svcId, null, true],
      [svcId, routeId, true],
    ]);
    expect(errorLines(base({ plugins: [{ name: 'jwt', route: 'nope' }] }))).toEqual([
      "$.plugins[0].route: invalid reference 'route: nope' (no such entry in 'routes')",
    ]);
  });
});
