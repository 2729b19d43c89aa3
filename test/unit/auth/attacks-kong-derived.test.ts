// Kong's derived cases D1–D16 (kong-reference §9.6) and the RFC 7515 Appendix A vectors, through the authenticator.
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import type { JwtAlgorithm } from '../../../src/config/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { ANON_ID, bearer, buildConfig, DEFAULT_CONSUMERS, KEYS, makeToken, NOW, plugin, request, type ConsumerSpec } from './helpers.js';

const hmac = createHmacVerifier();
function sync(o: AuthOutcome): AuthDecision {
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return o;
}
function answer(d: AuthDecision): string {
  if (d.kind === 'bypass') return 'bypass';
  if (d.kind === 'allow') return `allow ${d.consumer.entity.username}${d.anonymous ? ' (anonymous)' : ''}`;
  const body = JSON.parse(d.body) as Record<string, unknown>;
  return `${d.status} ${typeof body.message === 'string' ? body.message : d.body}${d.wwwAuthenticate === null ? '' : ` | ${d.wwwAuthenticate}`}`;
}
const EXTRA: ConsumerSpec = {
  id: '44444444-4444-4444-8444-444444444444',
  username: 'extra',
  credentials: [
    { key: 'es-nokey', algorithm: 'ES256', rsa_public_key: null },
    { key: 'b64-std', algorithm: 'HS256', secret: 'ab+/cd==' },
    { key: 'es256', algorithm: 'ES256', rsa_public_key: KEYS['p256-a']!.publicPem },
    { key: 'ps256-3072', algorithm: 'PS256', rsa_public_key: KEYS.rsa3072!.publicPem },
  ],
};
function authenticate(p: ReturnType<typeof plugin>, req: ReturnType<typeof request>, now = NOW): string {
  return answer(sync(createAuthenticator(buildConfig([...DEFAULT_CONSUMERS, EXTRA]), { now: () => now, hmac }).authenticate(p, req)));
}
const WA1 = 'Bearer error="invalid_token"';
const T = makeToken({ typ: 'JWT', alg: 'HS256' }, { iss: 'alice-key' }, 'alice-secret');
const T2 = makeToken({ typ: 'JWT', alg: 'HS256' }, { iss: 'bob-key' }, 'bob-secret');
const hs = (payload: object) => makeToken({ alg: 'HS256' }, { iss: 'alice-key', ...payload }, 'alice-secret');

describe('Kong derived cases (§9.6)', () => {
  it('D1: bearer is accepted, BEARER and a bare token are not', () => {
    expect(authenticate(plugin(), request({ headers: { authorization: `bearer ${T}` } }))).toBe('allow alice');
    expect(authenticate(plugin(), request({ headers: { authorization: `BEARER ${T}` } }))).toBe('401 Unauthorized | Bearer');
    expect(authenticate(plugin(), request({ headers: { authorization: T } }))).toBe('401 Unauthorized | Bearer');
  });
  it('D2: Basic abc, Bearer <jwt> finds the token (unanchored pattern)', () => {
    expect(authenticate(plugin(), request({ headers: { authorization: `Basic abc, Bearer ${T}` } }))).toBe('allow alice');
  });
  it('D3: query repeats — distinct, identical, empty and bare', () => {
    expect(authenticate(plugin(), request({ query: `jwt=${T}&jwt=${T2}` }))).toBe(`401 Multiple tokens provided | ${WA1}`);
    expect(authenticate(plugin(), request({ query: `jwt=${T}&jwt=${T}` }))).toBe('allow alice');
    expect(authenticate(plugin(), request({ query: 'jwt=' }))).toBe('401 Unauthorized | Bearer');
    expect(authenticate(plugin(), request({ query: 'jwt' }))).toBe(`401 Unrecognizable token | ${WA1}`);
  });
  it('D4: the same token in the query and the header is one token', () => {
    expect(authenticate(plugin(), bearer(T, { query: `jwt=${T}` }))).toBe('allow alice');
  });
  it("D5: malformed shapes give Kong's Bad token messages", () => {
    const [h, p, s] = T.split('.');
    expect(authenticate(plugin(), bearer('abc'))).toBe(`401 Bad token; invalid JSON | ${WA1}`);
    expect(authenticate(plugin(), bearer('a.b'))).toBe(`401 Bad token; invalid JSON | ${WA1}`);
    expect(authenticate(plugin(), bearer(`${h}.${p}.sig.extra`))).toBe(`401 Bad token; invalid signature | ${WA1}`);
    expect(authenticate(plugin(), bearer(makeToken({ alg: 'none' }, { iss: 'alice-key' }, 'x', 'HS256')))).toBe(
      `401 Bad token; invalid alg | ${WA1}`,
    );
    expect(authenticate(plugin(), bearer(`${h}.${p}+/.${s}`))).toBe(`401 Bad token; invalid JSON | ${WA1}`);
    expect(authenticate(plugin(), bearer(`${h}.${p}.${s}+/`))).toBe(`401 Bad token; invalid signature | ${WA1}`);
  });
  it('D6: an empty signature segment is Invalid signature', () => {
    expect(authenticate(plugin(), bearer(`${T.slice(0, T.lastIndexOf('.'))}.`))).toBe(`401 Invalid signature | ${WA1}`);
  });
  it('D7: an ES256 credential without a key gives Invalid key/secret', () => {
    const t = makeToken({ alg: 'ES256' }, { iss: 'es-nokey' }, KEYS['p256-a']!.privatePem);
    expect(authenticate(plugin(), bearer(t))).toBe(`401 Invalid key/secret | ${WA1}`);
  });
  it('D8: secret_is_base64 with + or / in the stored secret gives Invalid key/secret', () => {
    const t = makeToken({ alg: 'HS256' }, { iss: 'b64-std' }, 'ab+/cd==');
    expect(authenticate(plugin({ secret_is_base64: true }), bearer(t))).toBe(`401 Invalid key/secret | ${WA1}`);
  });
  it('D9: an empty payload iss does not fall back to a valid header iss', () => {
    const t = makeToken({ alg: 'HS256', iss: 'alice-key' }, { iss: '' }, 'alice-secret');
    expect(authenticate(plugin(), bearer(t))).toBe(`401 Invalid 'iss' in claims | ${WA1}`);
  });
  it('D10: empty claims_to_verify accepts an expired exp', () => {
    expect(authenticate(plugin({ claims_to_verify: [] }), bearer(hs({ exp: NOW - 100 })))).toBe('allow alice');
  });
  it('D11: exp == now is expired, nbf == now is valid', () => {
    expect(authenticate(plugin({ claims_to_verify: ['exp'] }), bearer(hs({ exp: NOW })))).toBe(`401 {"exp":"token expired"} | ${WA1}`);
    expect(authenticate(plugin({ claims_to_verify: ['nbf'] }), bearer(hs({ nbf: NOW })))).toBe('allow alice');
  });
  it('D12: maximum_expiration 300 accepts exp = now + 300 and refuses now + 301', () => {
    const p = plugin({ claims_to_verify: ['exp'], maximum_expiration: 300 });
    expect(authenticate(p, bearer(hs({ exp: NOW + 300 })))).toBe('allow alice');
    expect(authenticate(p, bearer(hs({ exp: NOW + 301 })))).toBe(`401 {"exp":"exceeds maximum allowed expiration"} | ${WA1}`);
  });
  it('D13: with anonymous, a bad signature proceeds as the anonymous consumer', () => {
    expect(authenticate(plugin({ anonymous: ANON_ID }), bearer(`${hs({}).slice(0, -2)}AA`))).toBe('allow anonymous-user (anonymous)');
  });
  it('D14: run_on_preflight=false exempts only OPTIONS', () => {
    expect(authenticate(plugin({ run_on_preflight: false }), request({ method: 'GET' }))).toBe('401 Unauthorized | Bearer');
    expect(authenticate(plugin({ run_on_preflight: false }), request({ method: 'OPTIONS' }))).toBe('bypass');
  });
  it('D15: the allow carries the real consumer, whose headers have no custom id when it has none', () => {
    const d = sync(
      createAuthenticator(buildConfig(), { now: () => NOW, hmac }).authenticate(
        plugin(),
        bearer(T2, { headers: { 'x-consumer-username': 'evil', 'x-consumer-custom-id': 'evil' } }),
      ),
    );
    expect(d.kind === 'allow' && d.consumer.upstreamHeaders).toEqual([
      'X-Consumer-ID',
      DEFAULT_CONSUMERS[1]!.id,
      'X-Consumer-Username',
      'bob',
    ]);
  });
  it("D16: Kong's 500 cases are 401s here (numeric iss, wrong-length ES signature, header 123); a valid PS256 signature from a 3072-bit key is accepted", () => {
    expect(authenticate(plugin(), bearer(makeToken({ alg: 'HS256' }, { iss: 123 }, 'alice-secret')))).toBe(
      `401 Invalid 'iss' in claims | ${WA1}`,
    );
    const es = makeToken({ alg: 'ES256' }, { iss: 'es256' }, KEYS['p256-a']!.privatePem);
    expect(authenticate(plugin(), bearer(`${es}AAAA`))).toBe(`401 Invalid signature | ${WA1}`);
    expect(authenticate(plugin(), bearer(makeToken('123', { iss: 'alice-key' }, 'alice-secret', 'HS256')))).toBe(
      `401 Bad token; invalid alg | ${WA1}`,
    );
    expect(authenticate(plugin(), bearer(makeToken({ alg: 'PS256' }, { iss: 'ps256-3072' }, KEYS.rsa3072!.privatePem)))).toBe(
      'allow extra',
    );
  });
});

interface Vector {
  alg: string;
  jwk?: Record<string, string>;
  token: string;
}
const RFC = JSON.parse(readFileSync(new URL('../../fixtures/auth/rfc7515.json', import.meta.url), 'utf8')) as Record<string, Vector>;
const pemOf = (jwk: Record<string, string>) =>
  createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }) as string;

describe('RFC 7515 Appendix A vectors (their exp is in 2011)', () => {
  const JOE = '55555555-5555-4555-8555-555555555555';
  function rfcAuth(alg: JwtAlgorithm, material: { secret?: string; pem?: string }) {
    const config = buildConfig([
      {
        id: JOE,
        username: 'joe',
        credentials: [{ key: 'joe', algorithm: alg, secret: material.secret ?? null, rsa_public_key: material.pem ?? null }],
      },
    ]);
    return createAuthenticator(config, { now: () => NOW, hmac });
  }
  const vectors: Array<[string, JwtAlgorithm, () => { secret?: string; pem?: string }, boolean]> = [
    ['A1', 'HS256', () => ({ secret: RFC.A1!.jwk!.k }), true],
    ['A2', 'RS256', () => ({ pem: pemOf(RFC.A2!.jwk!) }), false],
    ['A3', 'ES256', () => ({ pem: pemOf(RFC.A3!.jwk!) }), false],
  ];
  it.each(vectors)(
    '%s (%s) is accepted without exp checks and "token expired" with them, also on a cache hit',
    (id, alg, material, b64) => {
      const a = rfcAuth(alg, material());
      const token = RFC[id]!.token;
      const loose = plugin({ secret_is_base64: b64 });
      const strict = plugin({ secret_is_base64: b64, claims_to_verify: ['exp'] });
      expect(answer(sync(a.authenticate(strict, bearer(token))))).toBe(`401 {"exp":"token expired"} | ${WA1}`);
      expect(answer(sync(a.authenticate(loose, bearer(token))))).toBe('allow joe');
      expect(answer(sync(a.authenticate(strict, bearer(token))))).toBe(`401 {"exp":"token expired"} | ${WA1}`);
    },
  );
  it.each(vectors)('%s (%s) with a flipped signature character is Invalid signature', (id, alg, material, b64) => {
    const token = RFC[id]!.token;
    const dot = token.lastIndexOf('.');
    const flipped = `${token.slice(0, dot + 1)}${token[dot + 1] === 'A' ? 'B' : 'A'}${token.slice(dot + 2)}`;
    expect(answer(sync(rfcAuth(alg, material()).authenticate(plugin({ secret_is_base64: b64 }), bearer(flipped))))).toBe(
      `401 Invalid signature | ${WA1}`,
    );
  });
  it('A.1 is Invalid signature when the JWK k is used as raw text (secret_is_base64 false)', () => {
    expect(answer(sync(rfcAuth('HS256', { secret: RFC.A1!.jwk!.k }).authenticate(plugin(), bearer(RFC.A1!.token))))).toBe(
      `401 Invalid signature | ${WA1}`,
    );
  });
  it('A.5 (unsecured) is Bad token; invalid alg, also with a signature appended', () => {
    const a = rfcAuth('HS256', { secret: 'x' });
    expect(answer(sync(a.authenticate(plugin(), bearer(RFC.A5!.token))))).toBe(`401 Bad token; invalid alg | ${WA1}`);
    expect(answer(sync(a.authenticate(plugin(), bearer(`${RFC.A5!.token}AAAA`))))).toBe(`401 Bad token; invalid alg | ${WA1}`);
  });
});
