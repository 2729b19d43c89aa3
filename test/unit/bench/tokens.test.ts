import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCredentials, makeInvalidTokens, makeTokens } from '../../../bench/macro/tokens.mjs';
import { buildTokenSets, scenarioUrl, selectScenarios, SCENARIOS } from '../../../bench/macro/scenarios.mjs';
import { gatewayConfig } from '../../../bench/macro/systems.mjs';
import { splitCommand } from '../../../bench/macro/command.mjs';

const creds = createCredentials();

function parts(token: string) {
  const [h, p, s] = token.split('.');
  return {
    input: `${h}.${p}`,
    header: JSON.parse(Buffer.from(h!, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p!, 'base64url').toString()),
    sig: Buffer.from(s!, 'base64url'),
  };
}

describe('bench tokens', () => {
  it('signs HS256 tokens that verify with the credential secret and name the key in iss', () => {
    const [t] = makeTokens({ alg: 'HS256', creds, count: 1, nowSeconds: 1000 });
    const { input, header, payload, sig } = parts(t!);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toMatchObject({ iss: creds.hs.key, exp: 4600 });
    expect(sig.equals(crypto.createHmac('sha256', creds.hs.secret).update(input).digest())).toBe(true);
  });

  it('signs RS256 tokens that verify with the public PEM', () => {
    const [t] = makeTokens({ alg: 'RS256', creds, count: 1 });
    const { input, payload, sig } = parts(t!);
    expect(payload.iss).toBe(creds.rs.key);
    expect(crypto.verify('sha256', Buffer.from(input), creds.rs.publicPem, sig)).toBe(true);
  });

  it('makes every token of a set distinct', () => {
    const ts = makeTokens({ alg: 'HS256', creds, count: 500 });
    expect(new Set(ts).size).toBe(500);
  });

  it('makes invalid tokens whose signature no longer verifies', () => {
    for (const t of makeInvalidTokens({ alg: 'HS256', creds, count: 20 })) {
      const { input, sig } = parts(t);
      expect(sig.equals(crypto.createHmac('sha256', creds.hs.secret).update(input).digest())).toBe(false);
    }
  });
});

describe('bench scenarios and gateway config', () => {
  it('has a token set for every scenario that names one', () => {
    const sets = buildTokenSets(creds, 3);
    for (const s of SCENARIOS) if (s.tokens) expect(sets[s.tokens].length).toBeGreaterThan(0);
  });

  it('rejects unknown scenario ids', () => {
    expect(() => selectScenarios('passthrough,nope')).toThrow(/nope/);
    expect(selectScenarios('bad-sig').map((s) => s.id)).toEqual(['bad-sig']);
  });

  it('configures one worker, no admin, /open without auth and /api with jwt checking exp', () => {
    const cfg = gatewayConfig({ port: 1234, upstreamPort: 5678, creds });
    expect(cfg.gateway).toMatchObject({ proxy_listen: '127.0.0.1:1234', admin_listen: 'off', workers: 1 });
    const api = cfg.services.find((s: any) => s.routes[0].paths[0] === '/api');
    expect(api.plugins).toEqual([{ name: 'jwt', config: { claims_to_verify: ['exp'] } }]);
    const open = cfg.services.find((s: any) => s.routes[0].paths[0] === '/open');
    expect(open.plugins).toBeUndefined();
    const keys = cfg.consumers.flatMap((c: any) => c.jwt_secrets.map((j: any) => `${j.key}:${j.algorithm}`));
    expect(keys).toEqual([`${creds.hs.key}:HS256`, `${creds.rs.key}:RS256`]);
  });

  it('adds the authorizer listener when given a port, and sends authorizer scenarios there', () => {
    const cfg = gatewayConfig({ port: 1234, authorizerPort: 4321, upstreamPort: 5678, creds });
    expect(cfg.gateway.authorizer_listen).toBe('127.0.0.1:4321');
    const authz = selectScenarios('authz-hs256-one,authz-hs256-10k');
    expect(authz.map((s) => scenarioUrl({ url: 'http://p', authorizerUrl: 'http://a' }, s))).toEqual(['http://a', 'http://a']);
    expect(scenarioUrl({ url: 'http://peer' }, authz[0]!)).toBeUndefined();
    expect(scenarioUrl({ url: 'http://p', authorizerUrl: 'http://a' }, selectScenarios('hs256-one')[0]!)).toBe('http://p');
  });

  it('configures a valid /policy route whose tokens pass its audience and scope checks', async () => {
    const { loadConfigText } = await import('../../../src/config/load.js');
    const cfg = gatewayConfig({ port: 1234, upstreamPort: 5678, creds });
    expect(loadConfigText(JSON.stringify(cfg), 'json', 'bench.json').ok).toBe(true);
    const policy = cfg.services.find((s: any) => s.routes[0].paths[0] === '/policy').plugins[0].config;
    expect(policy.claims_to_headers).toHaveLength(3);
    const [token] = buildTokenSets(creds, 1).hsPolicy;
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString());
    expect(policy.audiences).toContain(claims.aud);
    expect(claims.scope.split(' ')).toEqual(expect.arrayContaining(policy.scopes_required));
  });

  it('splits a gateway command template with quotes', () => {
    expect(splitCommand(`node "dist/my cli.js" --config {config} 'a b'`)).toEqual([
      'node',
      'dist/my cli.js',
      '--config',
      '{config}',
      'a b',
    ]);
  });
});
