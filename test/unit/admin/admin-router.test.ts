import { describe, expect, it } from 'vitest';
import { stateFromDocument } from '../../../src/admin/entities/admin-state.js';
import { createTestAdmin, form, json, RSA_PUBLIC } from './helpers.js';

const tutorial = () => ({
  _format_version: '3.0',
  _comment: 'kept',
  gateway: { proxy_listen: '127.0.0.1:0' },
  services: [{ name: 'example_service', url: 'http://127.0.0.1:9999', routes: [{ name: 'mock', paths: ['/mock'] }] }],
});

describe('the seed tutorial flow', () => {
  it('adds a jwt plugin to a service from a form body, nested in the service entry', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/services/example_service/plugins', form('name=jwt'));
    expect(res.status).toBe(201);
    const service = admin.call('GET', '/services/example_service').body;
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'jwt',
      instance_name: null,
      created_at: admin.clock,
      updated_at: admin.clock,
      route: null,
      service: { id: service.id },
      consumer: null,
      config: {
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
      },
      protocols: ['grpc', 'grpcs', 'http', 'https'],
      enabled: true,
      tags: null,
    });
    expect((admin.state.doc.services as any)[0].plugins).toEqual([{ name: 'jwt', created_at: admin.clock, updated_at: admin.clock }]);
    expect(admin.state.doc._comment).toBe('kept');
  });

  it('returns 409 for a second jwt plugin on the same service', () => {
    const admin = createTestAdmin(tutorial());
    admin.call('POST', '/services/example_service/plugins', form('name=jwt'));
    const res = admin.call('POST', '/services/example_service/plugins', form('name=jwt'));
    expect(res.status).toBe(409);
    expect(res.body.message).toMatch(
      /^UNIQUE violation detected on '\{consumer=null,name="jwt",route=null,service=\{id="[0-9a-f-]+"\}\}'$/,
    );
  });

  it('creates a consumer and an RS256 credential with a URL as key, readable by that key', () => {
    const admin = createTestAdmin(tutorial());
    expect(admin.call('POST', '/consumers', form('username=fusionauth')).status).toBe(201);
    const res = admin.call('POST', '/consumers/fusionauth/jwt', {
      type: 'form',
      pairs: [
        ['algorithm', 'RS256'],
        ['rsa_public_key', RSA_PUBLIC],
        ['key', 'https://local.fusionauth.io'],
      ],
    });
    expect(res.status).toBe(201);
    expect(admin.call('GET', `/consumers/fusionauth/jwt/${encodeURIComponent('https://local.fusionauth.io')}`).body.id).toBe(res.body.id);
    expect((admin.state.doc.consumers as any)[0].jwt_secrets[0]).toMatchObject({ key: 'https://local.fusionauth.io', algorithm: 'RS256' });
  });
});

describe('consumers', () => {
  it('returns 400 when neither username nor custom_id is given', () => {
    const res = createTestAdmin(tutorial()).call('POST', '/consumers', json({}));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')");
  });
  it('returns 409 for a duplicate username', () => {
    const admin = createTestAdmin(tutorial());
    admin.call('POST', '/consumers', json({ username: 'u' }));
    expect(admin.call('POST', '/consumers', json({ username: 'u' })).body.message).toBe(`UNIQUE violation detected on '{username="u"}'`);
  });
  it("shows Kong's consumer shape and keeps the id when the username changes", () => {
    const admin = createTestAdmin(tutorial());
    const created = admin.call('POST', '/consumers', json({ username: 'u', custom_id: 'c1' })).body;
    expect(created).toEqual({
      id: expect.any(String),
      created_at: admin.clock,
      updated_at: admin.clock,
      username: 'u',
      custom_id: 'c1',
      tags: null,
    });
    admin.clock += 10;
    const renamed = admin.call('PATCH', `/consumers/${created.id}`, json({ username: 'v' })).body;
    expect(renamed).toMatchObject({ id: created.id, username: 'v', created_at: created.created_at, updated_at: admin.clock });
    expect(admin.call('GET', '/consumers/v').body.id).toBe(created.id);
  });
  it('cascades a consumer delete to its credentials, nested or top level', () => {
    const admin = createTestAdmin({
      _format_version: '3.0',
      consumers: [{ username: 'bob', jwt_secrets: [{ key: 'k1', secret: 's' }] }],
      jwt_secrets: [{ consumer: 'bob', key: 'k2', secret: 's' }],
    });
    expect(admin.call('DELETE', '/consumers/bob').status).toBe(204);
    expect(admin.call('GET', '/jwts').body.data).toEqual([]);
    expect(admin.state.doc.jwt_secrets).toEqual([]);
  });
  it('updates top-level references by name when the consumer is renamed', () => {
    const admin = createTestAdmin({
      _format_version: '3.0',
      consumers: [{ username: 'bob' }],
      jwt_secrets: [{ consumer: 'bob', key: 'k2', secret: 's' }],
    });
    expect(admin.call('PATCH', '/consumers/bob', json({ username: 'robert' })).status).toBe(200);
    expect((admin.state.doc.jwt_secrets as any)[0].consumer).toBe('robert');
  });
});

describe('services and routes', () => {
  it('creates a service from a url and a route under it with paths[]', () => {
    const admin = createTestAdmin({ _format_version: '3.0' });
    const svc = admin.call('POST', '/services', form('name=orders&url=http://127.0.0.1:3000/api'));
    expect(svc.status).toBe(201);
    expect(svc.body).toMatchObject({ name: 'orders', protocol: 'http', host: '127.0.0.1', port: 3000, path: '/api', retries: 5 });
    const route = admin.call('POST', '/services/orders/routes', form('name=o&paths[]=/orders&strip_path=false'));
    expect(route.status).toBe(201);
    expect(route.body).toMatchObject({ paths: ['/orders'], strip_path: false, service: { id: svc.body.id } });
    expect(admin.call('GET', '/services/orders/routes').body.data).toHaveLength(1);
    expect(admin.call('GET', '/routes/o/service').body.id).toBe(svc.body.id);
  });
  it('returns 400 with the field for an invalid path', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/routes', json({ paths: ['nope'] }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(2);
    expect(Object.keys(res.body.fields)).toEqual(['paths']);
  });
  it('refuses to delete a service that routes still use', () => {
    const res = createTestAdmin(tutorial()).call('DELETE', '/services/example_service');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 4, name: 'foreign key violation', fields: { '@referenced_by': 'routes' } });
  });
  it('converts a url to its parts when a PATCH sets one part', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('PATCH', '/services/example_service', json({ port: 8080 }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ host: '127.0.0.1', port: 8080 });
    expect((admin.state.doc.services as any)[0].url).toBeUndefined();
  });
  it('moves a route to another service when its service changes', () => {
    const admin = createTestAdmin(tutorial());
    const other = admin.call('POST', '/services', json({ name: 'other', url: 'http://127.0.0.1:1' })).body;
    const route = admin.call('GET', '/routes/mock').body;
    const res = admin.call('PATCH', '/routes/mock', json({ service: { id: other.id } }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: route.id, service: { id: other.id } });
    expect((admin.state.doc.services as any)[1].routes[0].name).toBe('mock');
    expect((admin.state.doc.services as any)[0].routes).toBeUndefined();
  });
  it('returns 400 foreign key violation for an unknown service id', () => {
    const res = createTestAdmin(tutorial()).call(
      'POST',
      '/routes',
      json({ paths: ['/x'], service: { id: '00000000-0000-0000-0000-000000000001' } }),
    );
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 4, fields: { service: { id: '00000000-0000-0000-0000-000000000001' } } });
  });
  it('keeps the ids of unnamed routes when an earlier route is deleted', () => {
    const admin = createTestAdmin({
      _format_version: '3.0',
      services: [{ name: 's', url: 'http://127.0.0.1:1', routes: [{ paths: ['/a'] }, { paths: ['/b'] }] }],
    });
    const [a, b] = admin.call('GET', '/routes').body.data;
    expect(admin.call('DELETE', `/routes/${a.id}`).status).toBe(204);
    expect(admin.call('GET', '/routes').body.data.map((r: any) => r.id)).toEqual([b.id]);
  });
});

describe('plugins', () => {
  it("merges config on PATCH and validates it with the file's messages", () => {
    const admin = createTestAdmin(tutorial());
    const p = admin.call('POST', '/plugins', json({ name: 'jwt', config: { claims_to_verify: ['exp'] } })).body;
    let res = admin.call('PATCH', `/plugins/${p.id}`, form('config.maximum_expiration=60'));
    expect(res.status).toBe(200);
    expect(res.body.config).toMatchObject({ claims_to_verify: ['exp'], maximum_expiration: 60 });
    res = admin.call('PATCH', `/plugins/${p.id}`, json({ config: { claims_to_verify: ['nbf'] } }));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ config: { claims_to_verify: 'expected to contain: exp' } });
    expect(res.body.message).toBe('schema violation (config.claims_to_verify: expected to contain: exp)');
  });
  it('rejects an unknown field like the file does', () => {
    const res = createTestAdmin(tutorial()).call('POST', '/plugins', json({ name: 'jwt', confg: {} }));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ confg: 'unknown field' });
  });
  it('puts a plugin scoped to a route and a service at top level with names', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/plugins', form('name=jwt&service.name=example_service&route.name=mock'));
    expect(res.status).toBe(201);
    expect(admin.state.doc.plugins).toEqual([
      { name: 'jwt', created_at: admin.clock, updated_at: admin.clock, service: 'example_service', route: 'mock' },
    ]);
  });
  it('cascades a route delete to its plugins', () => {
    const admin = createTestAdmin(tutorial());
    admin.call('POST', '/routes/mock/plugins', json({ name: 'jwt' }));
    expect(admin.call('DELETE', '/routes/mock').status).toBe(204);
    expect(admin.call('GET', '/plugins').body.data).toEqual([]);
  });
});

describe('router basics', () => {
  it('answers 404 for an unknown path and 405 for a wrong method', () => {
    const admin = createTestAdmin(tutorial());
    expect(admin.call('GET', '/nope')).toEqual({ status: 404, body: { message: 'Not found' } });
    expect(admin.call('DELETE', '/consumers')).toEqual({ status: 405, body: { message: 'Method not allowed' } });
  });
  it('describes the node at GET / with the DB-less configuration', () => {
    const res = createTestAdmin(tutorial()).call('GET', '/');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tagline: 'Welcome to portcullis', configuration: { database: 'off', proxy_listen: ['127.0.0.1:0'] } });
  });
  it('filters lists by tags: a,b needs both, a/b either', () => {
    const admin = createTestAdmin(tutorial());
    admin.call('POST', '/consumers', json({ username: 'ab', tags: ['a', 'b'] }));
    admin.call('POST', '/consumers', json({ username: 'a', tags: ['a'] }));
    admin.call('POST', '/consumers', json({ username: 'none' }));
    const names = (q: string) => admin.call('GET', `/consumers?tags=${q}`).body.data.map((c: any) => c.username);
    expect(names('a,b')).toEqual(['ab']);
    expect(names('b/a')).toEqual(['ab', 'a']);
    expect(admin.call('GET', '/consumers?tags=a,b/c').status).toBe(400);
  });
  it('validates a body shaped like a response ({status, body}) as an entity instead of answering with it', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/consumers', json({ status: 200, body: 'x' }));
    expect(res.status).toBe(400);
    expect(res.body.name).toBe('schema violation');
  });
  it('answers 400 schema violation for a JSON body that is not a record', () => {
    const res = createTestAdmin(tutorial()).call('POST', '/consumers', json([1, 2]));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('schema violation (expected a record)');
  });
  it('answers 400 for a page size out of range', () => {
    expect(createTestAdmin(tutorial()).call('GET', '/consumers?size=0').status).toBe(400);
  });
  it('replaces the whole config with POST /config, keeping the gateway section', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/config', json({ _format_version: '3.0', consumers: [{ username: 'x' }] }));
    expect(res.status).toBe(201);
    expect(res.body.consumers).toHaveLength(1);
    expect(admin.state.doc.gateway).toEqual({ proxy_listen: '127.0.0.1:0' });
    expect(admin.call('GET', '/services').body.data).toEqual([]);
  });
  it('rejects an invalid POST /config with every error and keeps the old config', () => {
    const admin = createTestAdmin(tutorial());
    const res = admin.call('POST', '/config', form(`config=${encodeURIComponent('_format_version: "3.0"\nservices: [{url: 1}]\n')}`));
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 14, name: 'invalid declarative configuration' });
    expect(admin.call('GET', '/services').body.data).toHaveLength(1);
  });
  it('writes made by the admin survive a reload of the document', () => {
    const admin = createTestAdmin(tutorial());
    const c = admin.call('POST', '/consumers', json({ username: 'x' })).body;
    const reloaded = stateFromDocument(JSON.parse(JSON.stringify(admin.state.doc)));
    expect(reloaded.ok && reloaded.state.config.consumers[0]!.id).toBe(c.id);
  });
});

describe('jwt policy fields on the Admin API', () => {
  it('accepts policy fields from a form body and a JSON body, and echoes only what was set', () => {
    const admin = createTestAdmin(tutorial());
    const created = admin.call(
      'POST',
      '/plugins',
      form('name=jwt&config.leeway=30&config.audiences=api&config.audiences=web&config.hide_credentials=true'),
    );
    expect(created.status).toBe(201);
    expect(created.body.config).toMatchObject({ leeway: 30, audiences: ['api', 'web'], hide_credentials: true });
    expect('issuers' in created.body.config).toBe(false);
    const res = admin.call(
      'PATCH',
      `/plugins/${created.body.id}`,
      json({
        config: {
          claims_to_headers: [{ claim: 'sub', header: 'X-User' }],
          scopes_required: ['read'],
          roles_claim: 'realm_access.roles',
        },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body.config).toMatchObject({
      leeway: 30,
      claims_to_headers: [{ claim: 'sub', header: 'X-User' }],
      scopes_required: ['read'],
    });
  });
  it("refuses a bad policy field with the file's message", () => {
    const res = createTestAdmin(tutorial()).call('POST', '/plugins', json({ name: 'jwt', config: { leeway: 7200 } }));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ config: { leeway: 'value should be between 0 and 3600' } });
    const header = createTestAdmin(tutorial()).call(
      'POST',
      '/plugins',
      json({ name: 'jwt', config: { claims_to_headers: [{ claim: 'sub', header: 'Host' }] } }),
    );
    expect(header.status).toBe(400);
    expect(JSON.stringify(header.body.fields)).toContain("header 'Host' is set by the gateway and cannot be configured");
  });
  it('creates an OIDC credential keyed by its issuer and returns oidc_issuer', () => {
    const admin = createTestAdmin(tutorial());
    admin.call('POST', '/consumers', json({ username: 'fa' }));
    const res = admin.call('POST', '/consumers/fa/jwt', json({ algorithm: 'RS256', oidc_issuer: 'https://idp.example' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'https://idp.example', oidc_issuer: 'https://idp.example', algorithm: 'RS256' });
  });
});
