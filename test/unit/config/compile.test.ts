import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { compileConfig } from '../../../src/config/compile.js';
import { loadConfigFile } from '../../../src/config/load.js';
import { valid } from './helpers.js';

const fixture = fileURLToPath(new URL('../../fixtures/config/kong-example.yaml', import.meta.url));

function compiledFixture() {
  const r = loadConfigFile(fixture);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return compileConfig(r.config, 7);
}

describe('compileConfig', () => {
  it('builds services with origin, host header and base path', () => {
    const c = compileConfig(
      valid({
        _format_version: '3.0',
        services: [
          { name: 'a', url: 'http://orders.internal:8080/api' },
          { name: 'b', url: 'https://billing.internal' },
          { name: 'c', url: 'http://h:80' },
          { name: 'd', url: 'http://[::1]:9000/' },
        ],
      }),
      1,
    );
    expect(c.services.map((s) => [s.origin, s.hostHeader, s.basePath])).toEqual([
      ['http://orders.internal:8080', 'orders.internal:8080', '/api'],
      ['https://billing.internal:443', 'billing.internal', '/'],
      ['http://h:80', 'h', '/'],
      ['http://[::1]:9000', '[::1]:9000', '/'],
    ]);
  });

  it('builds consumer upstream headers, leaving out unset username or custom_id', () => {
    const c = compileConfig(
      valid({ _format_version: '3.0', consumers: [{ username: 'alice', custom_id: 'a-1' }, { username: 'bob' }, { custom_id: 'c-3' }] }),
      1,
    );
    const [a, b, x] = c.validated.consumers.map((e) => c.consumersById.get(e.id)!);
    expect(a!.upstreamHeaders).toEqual(['X-Consumer-ID', a!.entity.id, 'X-Consumer-Username', 'alice', 'X-Consumer-Custom-ID', 'a-1']);
    expect(b!.upstreamHeaders).toEqual(['X-Consumer-ID', b!.entity.id, 'X-Consumer-Username', 'bob']);
    expect(x!.upstreamHeaders).toEqual(['X-Consumer-ID', x!.entity.id, 'X-Consumer-Custom-ID', 'c-3']);
    expect(c.consumersByUsername.get('bob')).toBe(b);
    expect(c.consumersByUsername.size).toBe(2);
  });

  it('builds credentials: secret bytes, strict base64url bytes and parsed public keys', () => {
    const c = compiledFixture();
    const hs = c.credentialsByKey.get('mobile-key-1')!;
    expect(hs.secretBytes!.toString('utf8')).toBe('s3cr3t-value');
    expect(hs.secretBase64Bytes).toEqual(Buffer.from('s3cr3t-value', 'base64url'));
    expect(hs.publicKey).toBeNull();
    expect(hs.consumer.entity.username).toBe('mobile-app');
    const rs = c.credentialsByKey.get('https://idp.partner.example/')!;
    expect(rs.publicKey?.asymmetricKeyType).toBe('rsa');
    expect(rs.secretBytes).toBeNull();
    expect(rs.secretBase64Bytes).toBeNull();
    expect(c.credentialsByKey.get('mobile-key-2')!.consumer).toBe(hs.consumer);
  });

  it("links every credential to its consumer's compiled entry (the authenticator relies on it: no consumer-not-found case)", () => {
    const c = compiledFixture();
    expect(c.credentialsByKey.size).toBeGreaterThan(0);
    for (const cred of c.credentialsByKey.values()) expect(c.consumersById.get(cred.entity.consumer)).toBe(cred.consumer);
  });

  it('applies Kong plugin precedence: route+service > route > service > global, ignoring disabled ones', () => {
    const c = compileConfig(
      valid({
        _format_version: '3.0',
        services: [
          {
            name: 's1',
            url: 'http://a',
            routes: [
              { name: 'r-both', paths: ['/1'] },
              { name: 'r-route', paths: ['/2'] },
              { name: 'r-svc', paths: ['/3'] },
              { name: 'r-disabled', paths: ['/4'], plugins: [{ name: 'jwt', enabled: false, config: { realm: 'off' } }] },
            ],
            plugins: [{ name: 'jwt', config: { realm: 'service' } }],
          },
          { name: 's2', url: 'http://b', routes: [{ name: 'r-global', paths: ['/5'] }] },
        ],
        routes: [{ name: 'r-none', paths: ['/6'] }],
        plugins: [
          { name: 'jwt', config: { realm: 'global' } },
          { name: 'jwt', route: 'r-both', service: 's1', config: { realm: 'route+service' } },
          { name: 'jwt', route: 'r-both', config: { realm: 'route-of-both' } },
          { name: 'jwt', route: 'r-route', config: { realm: 'route' } },
        ],
      }),
      1,
    );
    const realm = (name: string) => c.routes.find((r) => r.entity.name === name)!.jwt?.config.realm;
    expect(realm('r-both')).toBe('route+service');
    expect(realm('r-route')).toBe('route');
    expect(realm('r-svc')).toBe('service');
    expect(realm('r-disabled')).toBe('service');
    expect(realm('r-global')).toBe('global');
    expect(realm('r-none')).toBe('global');
  });

  it('gives no jwt plugin to routes when none applies, and links routes to services', () => {
    const c = compiledFixture();
    const byName = (n: string) => c.routes.find((r) => r.entity.name === n)!;
    expect(byName('orders-public').jwt!.config.key_claim_name).toBe('kid');
    expect(byName('orders-by-id').jwt!.config.maximum_expiration).toBe(3600);
    expect(byName('billing-route').jwt!.config.anonymous).toBe('guest');
    expect(byName('billing-route').service!.origin).toBe('https://billing.internal:443');
    const none = compileConfig(valid({ _format_version: '3.0', routes: [{ paths: ['/'] }] }), 2);
    expect(none.routes[0]!.jwt).toBeNull();
    expect(none.routes[0]!.service).toBeNull();
  });

  it('freezes the compiled config and the validated config it holds', () => {
    const c = compiledFixture();
    expect(c.generation).toBe(7);
    expect(c.gateway.workers).toBe(2);
    for (const o of [
      c,
      c.routes,
      c.routes[0],
      c.services[0],
      c.validated,
      c.validated.routes[0],
      c.routes[0]!.entity.paths,
      c.consumersById.values().next().value!.upstreamHeaders,
    ]) {
      expect(Object.isFrozen(o)).toBe(true);
    }
  });
});
