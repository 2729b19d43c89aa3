import { describe, expect, it } from 'vitest';
import { compileConfig } from '../../../src/config/compile.js';
import { explainRequest } from '../../../src/explain/explain.js';
import { nearMisses } from '../../../src/explain/near-misses.js';
import { valid } from '../config/helpers.js';

const config = compileConfig(
  valid({
    _format_version: '3.0',
    services: [
      {
        name: 's',
        url: 'http://127.0.0.1:1',
        routes: [
          { name: 'admin', hosts: ['admin.example'], paths: ['/admin'] },
          { name: 'writes', methods: ['POST'], paths: ['/orders'] },
          { name: 'wide', paths: ['/'], plugins: [{ name: 'jwt' }] },
        ],
      },
    ],
    plugins: [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }],
  }),
  1,
);

describe('explain: routes and plugin scope', () => {
  it('lists every route with each condition checked when none matches', async () => {
    const narrow = compileConfig(
      valid({
        _format_version: '3.0',
        services: [
          {
            name: 's',
            url: 'http://127.0.0.1:1',
            routes: [
              { name: 'admin', hosts: ['admin.example'], paths: ['/admin'] },
              { name: 'writes', methods: ['POST'], paths: ['/orders'] },
            ],
          },
        ],
      }),
      1,
    );
    const e = await explainRequest(narrow, { method: 'GET', host: 'shop.example', path: '/orders/1' });
    expect(e.verdict).toMatchObject({ allowed: false, status: 404, stopped_at: 'route' });
    expect(e.route.candidates).toEqual([
      expect.objectContaining({
        name: 'admin',
        matches: false,
        checks: [
          { field: 'hosts', expected: ['admin.example'], actual: 'shop.example', ok: false },
          { field: 'paths', expected: ['/admin'], actual: '/orders/1', ok: false },
        ],
      }),
      expect.objectContaining({
        name: 'writes',
        matches: false,
        checks: [
          { field: 'methods', expected: ['POST'], actual: 'GET', ok: false },
          { field: 'paths', expected: ['/orders'], actual: '/orders/1', ok: true },
        ],
      }),
    ]);
  });

  it('names the scope of the jwt plugin that applies: route over global', async () => {
    const onWide = await explainRequest(config, { path: '/x' });
    expect(onWide.plugin?.scope).toBe('route');
    const onWrites = await explainRequest(config, { method: 'POST', path: '/orders' });
    expect(onWrites.route.matched?.name).toBe('writes');
    expect(onWrites.plugin?.scope).toBe('global');
    expect(onWrites.route.candidates.filter((c) => c.matches).map((c) => c.name)).toEqual(['writes', 'wide']);
  });

  it('refuses a path the data plane refuses as a bad request', async () => {
    const e = await explainRequest(config, { path: '/a/%zz' });
    expect(e.verdict).toMatchObject({ allowed: false, status: 400, stopped_at: 'request' });
  });
});

describe('near misses between a key claim and credential keys', () => {
  it('names trailing slashes, case and whitespace, near misses first', () => {
    expect(nearMisses('https://idp.example', ['other', 'https://idp.example/', 'HTTPS://IDP.EXAMPLE', ' https://idp.example'])).toEqual([
      { key: 'https://idp.example/', note: 'near miss: the key has a trailing slash the token lacks' },
      { key: 'HTTPS://IDP.EXAMPLE', note: 'near miss: differs only in letter case' },
      { key: ' https://idp.example', note: 'near miss: leading or trailing whitespace' },
      { key: 'other', note: 'different' },
    ]);
  });
});
