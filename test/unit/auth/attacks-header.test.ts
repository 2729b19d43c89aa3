// Attack class: JOSE header tricks — alg spellings, key-carrying headers (jku, x5u, jwk, x5c), crit, b64 (RFC 7797), typ, hostile kid.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { createJwksRegistry, type JwksRegistry } from '../../../src/auth/jwks/jwks-registry.js';
import { DEFAULT_JWKS_SETTINGS } from '../../../src/auth/jwks/jwks-cache.js';
import { fetchJwks } from '../../../src/auth/jwks/jwks-fetcher.js';
import { loadConfigText } from '../../../src/config/load.js';
import { compileConfig } from '../../../src/config/compile.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import type { CompiledConfig } from '../../../src/config/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { startIdp, type TestIdp } from '../../helpers/test-idp.js';
import { b64url, bearer, buildConfig, DEFAULT_CONSUMERS, KEYS, makeToken, NOW, plugin, signature } from './helpers.js';

const hmac = createHmacVerifier();
const RSA_ID = '44444444-4444-4444-8444-444444444444';
const config = () =>
  buildConfig([
    ...DEFAULT_CONSUMERS,
    {
      id: RSA_ID,
      username: 'rsa',
      credentials: [{ key: 'rs256', algorithm: 'RS256', rsa_public_key: KEYS['rsa2048-a']!.publicPem }],
    },
  ]);

async function settle(o: AuthOutcome): Promise<AuthDecision> {
  return o;
}
function answer(d: AuthDecision): string {
  if (d.kind !== 'deny') return d.kind === 'allow' ? `allow ${d.consumer.entity.username}` : d.kind;
  const body = JSON.parse(d.body) as Record<string, unknown>;
  return `${d.status} ${typeof body.message === 'string' ? body.message : d.body}`;
}
async function run(token: string, overrides: Parameters<typeof plugin>[0] = {}, c: CompiledConfig = config()): Promise<string> {
  const a = createAuthenticator(c, { now: () => NOW, hmac });
  return answer(await settle(a.authenticate(plugin(overrides), bearer(token))));
}

const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attackerJwk = attacker.publicKey.export({ format: 'jwk' });

describe('alg spellings', () => {
  it.each([
    'none',
    'None',
    'NONE',
    'nOnE',
    'HS256 ',
    ' HS256',
    'hs256',
    'Hs256',
    'HS256\u0000',
    'HS 256',
    'HS-256',
    'HS1',
    'RS1',
    'ES256K',
    'Ed25519',
    'EDDSA',
    'eddsa',
    'PS256 ',
    '',
  ])('refuses alg %j as Bad token; invalid alg, even with a valid HS256 signature', async (alg) => {
    const t = makeToken({ typ: 'JWT', alg }, { iss: 'alice-key' }, 'alice-secret', 'HS256');
    expect(await run(t)).toBe('401 Bad token; invalid alg');
    expect(await run(`${t.slice(0, t.lastIndexOf('.'))}.`)).toBe('401 Bad token; invalid alg');
  });
  it('refuses an empty signature under every real alg as Invalid signature', async () => {
    const hs = makeToken({ alg: 'HS256' }, { iss: 'alice-key' }, 'x');
    expect(await run(`${hs.slice(0, hs.lastIndexOf('.'))}.`)).toBe('401 Invalid signature');
    const rs = makeToken({ alg: 'RS256' }, { iss: 'rs256' }, KEYS['rsa2048-a']!.privatePem);
    expect(await run(`${rs.slice(0, rs.lastIndexOf('.'))}.`)).toBe('401 Invalid signature');
  });
  it("refuses an HS256 token whose secret is the RSA credential's public PEM (algorithm confusion)", async () => {
    const pem = KEYS['rsa2048-a']!.publicPem;
    expect(await run(makeToken({ alg: 'HS256' }, { iss: 'rs256' }, pem))).toBe('401 Invalid algorithm');
    expect(await run(makeToken({ alg: 'HS256' }, { iss: 'rs256' }, pem.trim()))).toBe('401 Invalid algorithm');
  });
});

describe('headers that carry or point at keys are ignored', () => {
  const headers = (extra: Record<string, unknown>) => ({ typ: 'JWT', alg: 'RS256', ...extra });
  const evil = {
    jwk: attackerJwk,
    jku: 'http://127.0.0.1:9/jwks.json',
    x5u: 'http://127.0.0.1:9/cert.pem',
    x5c: [attacker.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')],
  };
  it.each(Object.entries(evil))('an attacker-signed token with %s is Invalid signature on a static credential', async (name, value) => {
    expect(await run(makeToken(headers({ [name]: value }), { iss: 'rs256' }, attacker.privateKey))).toBe('401 Invalid signature');
  });
  it('the genuine key still verifies a token that also carries those headers (they are not read at all)', async () => {
    expect(await run(makeToken(headers(evil), { iss: 'rs256' }, KEYS['rsa2048-a']!.privatePem))).toBe('allow rsa');
  });
});

describe('crit, b64 and typ', () => {
  it('ignores crit like Kong, whatever it names (documented: RFC 7515 §4.1.11 is not enforced)', async () => {
    expect(await run(makeToken({ alg: 'HS256', crit: ['exp'] }, { iss: 'alice-key' }, 'alice-secret'))).toBe('allow alice');
    expect(await run(makeToken({ alg: 'HS256', crit: ['x-unknown'], 'x-unknown': 1 }, { iss: 'alice-key' }, 'alice-secret'))).toBe(
      'allow alice',
    );
    expect(await run(makeToken({ alg: 'HS256', crit: 'junk' }, { iss: 'alice-key' }, 'alice-secret'))).toBe('allow alice');
  });
  it('never verifies an RFC 7797 (b64:false) signature under the normal signing input', async () => {
    const header = b64url({ alg: 'HS256', b64: false, crit: ['b64'] });
    const payload = '{"iss":"alice-key"}';
    const sig = signature('HS256', `${header}.${payload}`, 'alice-secret').toString('base64url');
    // As RFC 7797 sends it: the raw payload is no base64url segment.
    expect(await run(`${header}.${payload}.${sig}`)).toBe('401 Bad token; invalid JSON');
    // Re-encoded into a normal segment: the signature was over other bytes.
    expect(await run(`${header}.${b64url(payload)}.${sig}`)).toBe('401 Invalid signature');
    // The same for RS256.
    const rsHeader = b64url({ alg: 'RS256', b64: false, crit: ['b64'] });
    const rsSig = signature('RS256', `${rsHeader}.{"iss":"rs256"}`, KEYS['rsa2048-a']!.privatePem).toString('base64url');
    expect(await run(`${rsHeader}.${b64url('{"iss":"rs256"}')}.${rsSig}`)).toBe('401 Invalid signature');
  });
  it('treats b64:false in a normally signed token as an ignored member (Kong reads only alg)', async () => {
    expect(await run(makeToken({ alg: 'HS256', b64: false, crit: ['b64'] }, { iss: 'alice-key' }, 'alice-secret'))).toBe('allow alice');
  });
  it.each([['JWT'], ['jwt'], ['at+jwt'], ['JWS'], [''], [123], [null], [['JWT']], [{ a: 1 }]])(
    'accepts typ %j (typ is ignored)',
    async (typ) => {
      expect(await run(makeToken({ alg: 'HS256', typ }, { iss: 'alice-key' }, 'alice-secret'))).toBe('allow alice');
    },
  );
  it('accepts a header without typ', async () => {
    expect(await run(makeToken({ alg: 'HS256' }, { iss: 'alice-key' }, 'alice-secret'))).toBe('allow alice');
  });
});

describe('hostile kid values as the key claim', () => {
  it.each([
    '../../etc/passwd',
    'alice-key/../bob-key',
    'http://127.0.0.1:9/',
    'file:///etc/passwd',
    'alice-key ',
    ' alice-key',
    'ALICE-KEY',
    'alice-key\u0000',
    '*',
    '%',
    'alice%2dkey',
    '\\x00',
  ])('kid %j finds no credential', async (kid) => {
    expect(await run(makeToken({ alg: 'HS256', kid }, {}, 'alice-secret'), { key_claim_name: 'kid' })).toBe(
      "401 No credentials found for given 'kid'",
    );
  });
  it('refuses a non-string kid as the key claim', async () => {
    for (const kid of [1, true, ['alice-key'], { k: 'alice-key' }, null]) {
      expect(await run(makeToken({ alg: 'HS256', kid }, {}, 'alice-secret'), { key_claim_name: 'kid' })).toBe(
        "401 Invalid 'kid' in claims",
      );
    }
  });
});

describe('a jwks_uri credential never fetches a URL the token chose', () => {
  let idp: TestIdp;
  let trap: http.Server;
  let trapUrl = '';
  const trapHits: string[] = [];
  const fetched: string[] = [];
  let registry: JwksRegistry;
  let clock = 9_000_000;

  beforeAll(async () => {
    idp = await startIdp();
    trap = http.createServer((req, res) => {
      trapHits.push(req.url ?? '');
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [{ ...attackerJwk, kid: 'evil', alg: 'RS256' }] }));
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', () => r()));
    trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    registry = createJwksRegistry({
      settings: { ...DEFAULT_JWKS_SETTINGS, refetchIntervalSeconds: 10 },
      now: () => clock,
      timers: false,
      fetch: (uri, options) => {
        fetched.push(uri);
        return fetchJwks(uri, options);
      },
    });
  });
  afterAll(async () => {
    registry.close();
    await idp.close();
    await new Promise<void>((r) => trap.close(() => r()));
  });

  function compiled(): CompiledConfig {
    const doc = {
      _format_version: '3.0',
      consumers: [{ username: 'idp-user', jwt_secrets: [{ key: idp.url, algorithm: 'RS256', jwks_uri: idp.jwksUri }] }],
    };
    const r = loadConfigText(JSON.stringify(doc), 'json', 'test.json');
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return compileConfig(r.config, 1);
  }

  it('refuses tokens with jku, x5u, jwk, x5c or a URL kid, and only ever fetches the configured URI', async () => {
    const auth = createAuthenticator(compiled(), { now: () => NOW, hmac, jwks: registry });
    await registry.whenReady();
    expect(answer(await settle(auth.authenticate(plugin(), bearer(idp.token()))))).toBe('allow idp-user');
    const kids = [`${trapUrl}/kid.json`, '../../.well-known/jwks.json', `${trapUrl}/evil`, 'evil'];
    for (const kid of kids) {
      clock += 11_000; // past the refetch interval: an unknown kid may trigger the one allowed refetch
      const t = makeToken(
        { alg: 'RS256', typ: 'JWT', kid, jku: `${trapUrl}/jku.json`, x5u: `${trapUrl}/x5u.pem`, jwk: { ...attackerJwk, kid } },
        { iss: idp.url },
        attacker.privateKey,
      );
      expect(answer(await settle(auth.authenticate(plugin(), bearer(t)))), kid).toBe('401 Invalid signature');
    }
    expect(trapHits).toEqual([]);
    expect(new Set(fetched)).toEqual(new Set([idp.jwksUri]));
  });
});
