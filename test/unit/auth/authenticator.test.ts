import { describe, expect, it } from 'vitest';
import { createAuthenticator, type AuthenticatorOptions } from '../../../src/auth/authenticator.js';
import type { AuthOutcome } from '../../../src/auth/types.js';
import type { CompiledConfig, JwtAlgorithm } from '../../../src/config/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { TOKEN_CHECK } from '../../../src/native/addon.js';
import { verifyAsymmetric } from '../../../src/crypto/asymmetric.js';
import {
  ALICE_ID,
  ANON_ID,
  b64url,
  bearer,
  buildConfig,
  DEFAULT_CONSUMERS,
  denied,
  hs256,
  KEYS,
  makeToken,
  NOW,
  plugin,
  recordingCheckToken,
  request,
  sync,
  type ConsumerSpec,
} from './helpers.js';

const WA1 = 'Bearer error="invalid_token"';
const hmac = createHmacVerifier();

function auth(config: CompiledConfig = buildConfig(), options: AuthenticatorOptions = {}) {
  let now = NOW;
  const a = createAuthenticator(config, { now: () => now, hmac, ...options });
  return {
    a,
    advance: (s: number) => {
      now += s;
    },
  };
}
const message = (o: AuthOutcome) => JSON.parse(denied(o).body).message as string;

const asymCredentials: ConsumerSpec = {
  id: '44444444-4444-4444-8444-444444444444',
  username: 'asym-user',
  credentials: [
    { key: 'rs256', algorithm: 'RS256', rsa_public_key: KEYS['rsa2048-a']!.publicPem },
    { key: 'rs384', algorithm: 'RS384', rsa_public_key: KEYS.rsa3072!.publicPem },
    { key: 'rs512', algorithm: 'RS512', rsa_public_key: KEYS.rsa4096!.publicPem },
    { key: 'ps256', algorithm: 'PS256', rsa_public_key: KEYS['rsa2048-a']!.publicPem },
    { key: 'ps384', algorithm: 'PS384', rsa_public_key: KEYS.rsa3072!.publicPem },
    { key: 'ps512', algorithm: 'PS512', rsa_public_key: KEYS.rsa4096!.publicPem },
    { key: 'es256', algorithm: 'ES256', rsa_public_key: KEYS['p256-a']!.publicPem },
    { key: 'es384', algorithm: 'ES384', rsa_public_key: KEYS.p384!.publicPem },
    { key: 'es512', algorithm: 'ES512', rsa_public_key: KEYS.p521!.publicPem },
    { key: 'ed25519', algorithm: 'EdDSA', rsa_public_key: KEYS['ed25519-a']!.publicPem },
    { key: 'ed448', algorithm: 'EdDSA', rsa_public_key: KEYS.ed448!.publicPem },
    { key: 'es-nokey', algorithm: 'ES256', rsa_public_key: null },
    { key: 'es-junk', algorithm: 'ES256', rsa_public_key: 'not a key' },
    { key: 'hs384', algorithm: 'HS384', secret: 'h'.repeat(48) },
    { key: 'hs512', algorithm: 'HS512', secret: 'k'.repeat(64) },
    { key: 'b64', algorithm: 'HS256', secret: Buffer.from('raw secret bytes').toString('base64url') },
    { key: 'b64-bad', algorithm: 'HS256', secret: 'ab+/cd==' },
    { key: 'nosecret', algorithm: 'HS256', secret: null },
  ],
};
const fullConfig = () => buildConfig([...DEFAULT_CONSUMERS, asymCredentials]);
const KEY_FOR: Record<string, string> = {
  rs256: 'rsa2048-a',
  rs384: 'rsa3072',
  rs512: 'rsa4096',
  ps256: 'rsa2048-a',
  ps384: 'rsa3072',
  ps512: 'rsa4096',
  es256: 'p256-a',
  es384: 'p384',
  es512: 'p521',
  ed25519: 'ed25519-a',
  ed448: 'ed448',
};
const ALG_FOR: Record<string, JwtAlgorithm> = {
  rs256: 'RS256',
  rs384: 'RS384',
  rs512: 'RS512',
  ps256: 'PS256',
  ps384: 'PS384',
  ps512: 'PS512',
  es256: 'ES256',
  es384: 'ES384',
  es512: 'ES512',
  ed25519: 'EdDSA',
  ed448: 'EdDSA',
};
const asymToken = (key: string, payload: object = { iss: key }, signer = KEY_FOR[key]!) =>
  makeToken({ typ: 'JWT', alg: ALG_FOR[key] }, payload, KEYS[signer]!.privatePem);

describe('authenticator: finding the token', () => {
  const p = plugin();
  it('returns 401 Unauthorized with WWW-Authenticate: Bearer when there is no token', () => {
    const d = denied(auth().a.authenticate(p, request()));
    expect(d).toMatchObject({ status: 401, body: '{"message":"Unauthorized"}', wwwAuthenticate: 'Bearer' });
  });
  it('puts the realm into both WWW-Authenticate forms, with the master-branch comma', () => {
    const pr = plugin({ realm: 'test-jwt' });
    const { a } = auth();
    expect(denied(a.authenticate(pr, request())).wwwAuthenticate).toBe('Bearer realm="test-jwt"');
    expect(denied(a.authenticate(pr, bearer('abc'))).wwwAuthenticate).toBe('Bearer realm="test-jwt", error="invalid_token"');
  });
  it('returns Multiple tokens provided for different tokens in query and header', () => {
    const d = denied(auth().a.authenticate(p, bearer('invalid.jwt.token', { query: `jwt=${hs256({ iss: 'alice-key' })}` })));
    expect(d).toMatchObject({ status: 401, body: '{"message":"Multiple tokens provided"}', wwwAuthenticate: WA1 });
  });
  it('returns Unrecognizable token for a bare ?jwt', () => {
    expect(message(auth().a.authenticate(p, request({ query: 'jwt' })))).toBe('Unrecognizable token');
  });
  it('accepts the same token in the query and the header', () => {
    const t = hs256({ iss: 'alice-key' });
    expect(sync(auth().a.authenticate(p, bearer(t, { query: `jwt=${t}` }))).kind).toBe('allow');
  });
});

describe('authenticator: OPTIONS and run_on_preflight', () => {
  it('bypasses OPTIONS when run_on_preflight is false', () => {
    expect(sync(auth().a.authenticate(plugin({ run_on_preflight: false }), request({ method: 'OPTIONS' }))).kind).toBe('bypass');
  });
  it('still checks a GET when run_on_preflight is false', () => {
    expect(message(auth().a.authenticate(plugin({ run_on_preflight: false }), request()))).toBe('Unauthorized');
  });
  it('checks OPTIONS by default', () => {
    expect(message(auth().a.authenticate(plugin(), request({ method: 'OPTIONS' })))).toBe('Unauthorized');
  });
});

describe('authenticator: decoding and the key claim', () => {
  const p = plugin();
  const { a } = auth();
  it("reports malformed tokens with Kong's Bad token messages and WA1", () => {
    expect(denied(a.authenticate(p, bearer('abc')))).toMatchObject({ body: '{"message":"Bad token; invalid JSON"}', wwwAuthenticate: WA1 });
    expect(message(a.authenticate(p, bearer(`no-way-this-works${hs256({ iss: 'alice-key' })}`)))).toBe('Bad token; invalid JSON');
    expect(message(a.authenticate(p, bearer(`${hs256({ iss: 'alice-key' })}.extra`)))).toBe('Bad token; invalid signature');
    expect(message(a.authenticate(p, bearer(makeToken({ alg: 'hs256' }, { iss: 'alice-key' }, 'alice-secret', 'HS256'))))).toBe(
      'Bad token; invalid alg',
    );
  });
  it('refuses alg none in any spelling, with or without a signature', () => {
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      const t = `${b64url({ alg })}.${b64url({ iss: 'alice-key' })}.`;
      expect(message(a.authenticate(p, bearer(t)))).toBe('Bad token; invalid alg');
    }
  });
  it("requires the key claim: No mandatory 'iss' in claims", () => {
    const d = denied(a.authenticate(p, bearer(hs256({ sub: 'x' }, 'foo'))));
    expect(d).toMatchObject({ body: '{"message":"No mandatory \'iss\' in claims"}', wwwAuthenticate: WA1 });
  });
  it("answers Invalid 'iss' in claims for an empty iss, without falling back to the header", () => {
    const t = makeToken({ alg: 'HS256', iss: 'alice-key' }, { iss: '' }, 'alice-secret');
    expect(message(a.authenticate(p, bearer(t)))).toBe("Invalid 'iss' in claims");
  });
  it("answers 401 Invalid 'iss' in claims for a non-string key claim (Kong answers 500)", () => {
    for (const iss of [123, true, { key: 'alice-key' }, ['alice-key'], null]) {
      const d = denied(a.authenticate(p, bearer(hs256({ iss }))));
      expect(d.status).toBe(401);
      expect(JSON.parse(d.body).message).toBe("Invalid 'iss' in claims");
    }
  });
  it('falls back to the JOSE header when the payload claim is absent or false', () => {
    expect(sync(a.authenticate(p, bearer(makeToken({ alg: 'HS256', iss: 'alice-key' }, { sub: 1 }, 'alice-secret')))).kind).toBe('allow');
    expect(sync(a.authenticate(p, bearer(makeToken({ alg: 'HS256', iss: 'alice-key' }, { iss: false }, 'alice-secret')))).kind).toBe(
      'allow',
    );
    expect(message(a.authenticate(p, bearer(hs256({ iss: false }))))).toBe("No mandatory 'iss' in claims");
  });
  it('prefers the payload claim over the header', () => {
    const t = makeToken({ alg: 'HS256', iss: 'alice-key' }, { iss: 'bob-key' }, 'alice-secret');
    expect(message(a.authenticate(p, bearer(t)))).toBe('Invalid signature');
  });
  it('uses key_claim_name (kid in the header, aud in the payload)', () => {
    const kid = plugin({ key_claim_name: 'kid' });
    const t = makeToken({ alg: 'HS256', kid: 'bob-key' }, { sub: 'x' }, 'bob-secret');
    expect(sync(a.authenticate(kid, bearer(t)))).toMatchObject({ kind: 'allow', consumer: { entity: { username: 'bob' } } });
    expect(message(a.authenticate(kid, bearer(hs256({ iss: 'alice-key' }))))).toBe("No mandatory 'kid' in claims");
    const aud = plugin({ key_claim_name: 'aud' });
    expect(sync(a.authenticate(aud, bearer(hs256({ aud: 'alice-key' })))).kind).toBe('allow');
  });
  it('never reads a key claim name from the prototype chain', () => {
    const proto = plugin({ key_claim_name: 'constructor' });
    expect(message(a.authenticate(proto, bearer(hs256({ iss: 'alice-key' }))))).toBe("No mandatory 'constructor' in claims");
  });
  it('returns No credentials found for an unknown key', () => {
    const d = denied(a.authenticate(p, bearer(hs256({ iss: '123456789' }))));
    expect(d).toMatchObject({ body: '{"message":"No credentials found for given \'iss\'"}', wwwAuthenticate: WA1 });
  });
  it('treats a JSON-array payload as having no claims', () => {
    const t = makeToken({ alg: 'HS256' }, '["alice-key"]', 'alice-secret');
    expect(message(a.authenticate(p, bearer(t)))).toBe("No mandatory 'iss' in claims");
  });
});

describe('authenticator: HMAC credentials', () => {
  const p = plugin();
  const { a } = auth(fullConfig());
  it('allows a valid HS256 token and returns consumer, credential and raw token', () => {
    const t = hs256({ iss: 'alice-key' });
    const d = sync(a.authenticate(p, bearer(t)));
    expect(d).toMatchObject({ kind: 'allow', anonymous: false, token: t });
    if (d.kind !== 'allow') throw new Error();
    expect(d.consumer.entity.id).toBe(ALICE_ID);
    expect(d.credential?.entity.key).toBe('alice-key');
  });
  it('verifies HS384 and HS512', () => {
    expect(sync(a.authenticate(p, bearer(makeToken({ alg: 'HS384' }, { iss: 'hs384' }, 'h'.repeat(48))))).kind).toBe('allow');
    expect(sync(a.authenticate(p, bearer(makeToken({ alg: 'HS512' }, { iss: 'hs512' }, 'k'.repeat(64))))).kind).toBe('allow');
  });
  it('returns Invalid signature for a wrong secret, a tampered payload, a truncated or empty signature', () => {
    expect(message(a.authenticate(p, bearer(hs256({ iss: 'alice-key' }, 'foo'))))).toBe('Invalid signature');
    const t = hs256({ iss: 'alice-key', admin: false });
    const [h, , s] = t.split('.');
    expect(message(a.authenticate(p, bearer(`${h}.${b64url({ iss: 'alice-key', admin: true })}.${s}`)))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(t.slice(0, -4))))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(`${h}.${t.split('.')[1]}.`)))).toBe('Invalid signature');
  });
  it('returns Invalid algorithm when the header alg differs from the credential', () => {
    const d = denied(a.authenticate(p, bearer(makeToken({ typ: 'JWT', alg: 'RS256' }, { iss: 'alice-key' }, 'alice-secret', 'HS256'))));
    expect(d).toMatchObject({ body: '{"message":"Invalid algorithm"}', wwwAuthenticate: WA1 });
    expect(message(a.authenticate(p, bearer(makeToken({ alg: 'HS512' }, { iss: 'alice-key' }, 'alice-secret'))))).toBe('Invalid algorithm');
  });
  it("refuses an HS256 token signed with an RSA credential's public PEM as the secret", () => {
    const pem = KEYS['rsa2048-a']!.publicPem;
    expect(message(a.authenticate(p, bearer(makeToken({ alg: 'HS256' }, { iss: 'rs256' }, pem))))).toBe('Invalid algorithm');
  });
  it('decodes the secret for secret_is_base64 and rejects a token signed with the base64 text', () => {
    const b = plugin({ secret_is_base64: true });
    expect(sync(a.authenticate(b, bearer(makeToken({ alg: 'HS256' }, { iss: 'b64' }, 'raw secret bytes')))).kind).toBe('allow');
    const text = Buffer.from('raw secret bytes').toString('base64url');
    expect(message(a.authenticate(b, bearer(makeToken({ alg: 'HS256' }, { iss: 'b64' }, text))))).toBe('Invalid signature');
  });
  it('returns Invalid key/secret when secret_is_base64 meets a secret nginx would not decode', () => {
    const b = plugin({ secret_is_base64: true });
    expect(message(a.authenticate(b, bearer(makeToken({ alg: 'HS256' }, { iss: 'b64-bad' }, 'x'))))).toBe('Invalid key/secret');
  });
  it('rejects every token for an HS credential stored without a secret', () => {
    for (const secret of ['', 'null', 'undefined']) {
      expect(message(a.authenticate(p, bearer(makeToken({ alg: 'HS256' }, { iss: 'nosecret' }, secret))))).toBe('Invalid signature');
    }
  });
  it('does not apply secret_is_base64 to rsa_public_key', () => {
    expect(sync(a.authenticate(plugin({ secret_is_base64: true }), bearer(asymToken('rs256')))).kind).toBe('allow');
  });
  it('reports which HMAC engine is active', () => {
    expect(['native', 'node:crypto']).toContain(a.hmacEngine);
  });
});

describe('authenticator: the one-call bad-signature check', () => {
  const forged = (iss = 'alice-key') => hs256({ iss, sub: 'x' }, 'not-the-secret');

  it.skipIf(createHmacVerifier().engine !== 'native')(
    'refuses a bad signature in one native call once the header is known, with the deny the full flow gives',
    () => {
      const { hmac: counting, answers } = recordingCheckToken();
      const { a } = auth(buildConfig(), { hmac: counting });
      const p = plugin();
      // The first token's header is new: the flow decodes it and remembers it; from then on one call decides.
      const first = sync(a.authenticate(p, bearer(forged())));
      expect(answers).toEqual([]);
      const second = sync(a.authenticate(p, bearer(hs256({ iss: 'alice-key', sub: 'y' }, 'guess'))));
      expect(answers).toEqual([TOKEN_CHECK.MISMATCH]);
      expect(second).toBe(first);
      expect(message(second)).toBe('Invalid signature');
      // What it is not sure of goes through the flow, which answers.
      expect(message(a.authenticate(p, bearer(forged('nobody'))))).toBe("No credentials found for given 'iss'");
      expect(answers.at(-1)).toBe(TOKEN_CHECK.UNSURE);
      // A right signature matches in the call and is then allowed by the flow.
      expect(sync(a.authenticate(p, bearer(hs256({ iss: 'alice-key' })))).kind).toBe('allow');
      expect(answers.at(-1)).toBe(TOKEN_CHECK.MATCH);
    },
  );

  it('leaves routes with issuer or audience checks to the flow: those come before the signature', () => {
    const { hmac: counting, answers } = recordingCheckToken();
    const { a } = auth(buildConfig(), { hmac: counting });
    const p = plugin({ issuers: ['someone-else'] });
    for (let i = 0; i < 3; i++) expect(message(a.authenticate(p, bearer(forged())))).not.toBe('Invalid signature');
    expect(answers).toEqual([]);
  });
});

describe('authenticator: asymmetric credentials', () => {
  const p = plugin();
  const { a } = auth(fullConfig());
  for (const key of Object.keys(KEY_FOR)) {
    it(`allows a valid ${ALG_FOR[key]} token (${KEY_FOR[key]})`, () => {
      const d = sync(a.authenticate(p, bearer(asymToken(key))));
      expect(d).toMatchObject({ kind: 'allow', credential: { entity: { key } } });
    });
  }
  it('returns Invalid signature for a token signed by another key of the same kind', () => {
    expect(message(a.authenticate(p, bearer(asymToken('rs256', { iss: 'rs256' }, 'rsa2048-b'))))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(asymToken('es256', { iss: 'es256' }, 'p256-b'))))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(asymToken('ed25519', { iss: 'ed25519' }, 'ed25519-b'))))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(asymToken('ed448', { iss: 'ed448' }, 'ed25519-a'))))).toBe('Invalid signature');
  });
  it('returns Invalid signature for a P-384 signature on an ES256 credential (Kong: 500)', () => {
    const t = makeToken({ alg: 'ES256' }, { iss: 'es256' }, KEYS.p384!.privatePem);
    expect(denied(a.authenticate(p, bearer(t)))).toMatchObject({ status: 401, body: '{"message":"Invalid signature"}' });
  });
  it('returns Invalid signature for DER-encoded and zero r/s ECDSA signatures', () => {
    const good = asymToken('es256');
    const [h, pl] = good.split('.');
    const sig = Buffer.from(good.split('.')[2]!, 'base64url');
    // DER: 0x30 len 0x02 rlen r 0x02 slen s (r, s positive with a leading zero)
    const der = Buffer.concat([Buffer.from([0x30, 70, 0x02, 33, 0]), sig.subarray(0, 32), Buffer.from([0x02, 33, 0]), sig.subarray(32)]);
    expect(message(a.authenticate(p, bearer(`${h}.${pl}.${der.toString('base64url')}`)))).toBe('Invalid signature');
    expect(message(a.authenticate(p, bearer(`${h}.${pl}.${Buffer.alloc(64).toString('base64url')}`)))).toBe('Invalid signature');
  });
  it('returns Invalid signature for a PKCS#1 v1.5 signature under PS256 and vice versa', () => {
    const rsSigned = makeToken({ alg: 'PS256' }, { iss: 'ps256' }, KEYS['rsa2048-a']!.privatePem, 'RS256');
    expect(message(a.authenticate(p, bearer(rsSigned)))).toBe('Invalid signature');
    const psSigned = makeToken({ alg: 'RS256' }, { iss: 'rs256' }, KEYS['rsa2048-a']!.privatePem, 'PS256');
    expect(message(a.authenticate(p, bearer(psSigned)))).toBe('Invalid signature');
  });
  it('returns Invalid algorithm for an RS token on a PS credential and an ES token on an EdDSA credential', () => {
    expect(message(a.authenticate(p, bearer(makeToken({ alg: 'RS256' }, { iss: 'ps256' }, KEYS['rsa2048-a']!.privatePem))))).toBe(
      'Invalid algorithm',
    );
    expect(message(a.authenticate(p, bearer(makeToken({ alg: 'ES256' }, { iss: 'ed25519' }, KEYS['p256-a']!.privatePem))))).toBe(
      'Invalid algorithm',
    );
  });
  it('returns Invalid key/secret for an ES credential without a usable key', () => {
    const t = makeToken({ alg: 'ES256' }, { iss: 'es-nokey' }, KEYS['p256-a']!.privatePem);
    expect(message(a.authenticate(p, bearer(t)))).toBe('Invalid key/secret');
    const j = makeToken({ alg: 'ES256' }, { iss: 'es-junk' }, KEYS['p256-a']!.privatePem);
    expect(message(a.authenticate(p, bearer(j)))).toBe('Invalid key/secret');
  });
  it('awaits a verifier that returns a Promise (the worker-pool seam)', async () => {
    const { a: pooled } = auth(fullConfig(), {
      verifyAsymmetric: (alg, key, input, sig) => Promise.resolve(verifyAsymmetric(alg, key, input, sig)),
    });
    const outcome = pooled.authenticate(p, bearer(asymToken('rs256')));
    expect(outcome).toBeInstanceOf(Promise);
    expect((await outcome).kind).toBe('allow');
    expect(JSON.parse(denied(await pooled.authenticate(p, bearer(asymToken('rs256', { iss: 'rs256' }, 'rsa2048-b')))).body).message).toBe(
      'Invalid signature',
    );
    // a rejected verification is a failed one
    const { a: broken } = auth(fullConfig(), { verifyAsymmetric: () => Promise.reject(new Error('pool down')) });
    expect(JSON.parse(denied(await broken.authenticate(p, bearer(asymToken('rs256')))).body).message).toBe('Invalid signature');
  });
});

describe('authenticator: claims', () => {
  it('does not check exp by default', () => {
    expect(sync(auth().a.authenticate(plugin(), bearer(hs256({ iss: 'alice-key', exp: NOW - 100 })))).kind).toBe('allow');
  });
  it('returns the claim error object as the body', () => {
    const p = plugin({ claims_to_verify: ['nbf', 'exp'] });
    const { a } = auth();
    expect(denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW - 10, nbf: NOW - 10 }))))).toMatchObject({
      status: 401,
      body: '{"exp":"token expired"}',
      wwwAuthenticate: WA1,
    });
    expect(denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW + 10, nbf: NOW + 5 })))).body).toBe(
      '{"nbf":"token not valid yet"}',
    );
    expect(JSON.parse(denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key' })))).body)).toEqual({
      nbf: 'must be a number',
      exp: 'must be a number',
    });
    expect(sync(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW + 10, nbf: NOW })))).kind).toBe('allow');
  });
  it('checks the signature before the claims', () => {
    const p = plugin({ claims_to_verify: ['exp'] });
    expect(message(auth().a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW - 10 }, 'wrong'))))).toBe('Invalid signature');
  });
  it('applies maximum_expiration after the claims', () => {
    const p = plugin({ claims_to_verify: ['exp'], maximum_expiration: 300 });
    const { a } = auth();
    expect(denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW + 3600 }))))).toMatchObject({
      body: '{"exp":"exceeds maximum allowed expiration"}',
      wwwAuthenticate: WA1,
    });
    expect(sync(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW + 300 })))).kind).toBe('allow');
    expect(denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: NOW - 1 })))).body).toBe('{"exp":"token expired"}');
  });
});

describe('authenticator: anonymous', () => {
  it('falls back to the anonymous consumer by id on any failure, with no credential', () => {
    const p = plugin({ anonymous: ANON_ID, claims_to_verify: ['exp'] });
    const { a } = auth();
    for (const r of [
      request(),
      bearer('garbage'),
      bearer(hs256({ iss: 'alice-key' }, 'bad')),
      bearer(hs256({ iss: 'alice-key', exp: NOW - 1 })),
      bearer('a.b.c', { query: 'jwt=x.y.z' }),
    ]) {
      expect(sync(a.authenticate(p, r))).toMatchObject({
        kind: 'allow',
        anonymous: true,
        credential: null,
        token: null,
        consumer: { entity: { id: ANON_ID } },
      });
    }
  });
  it('uses the real consumer when the token is valid', () => {
    const p = plugin({ anonymous: ANON_ID });
    expect(sync(auth().a.authenticate(p, bearer(hs256({ iss: 'alice-key' }))))).toMatchObject({ kind: 'allow', anonymous: false });
  });
  it('finds the anonymous consumer by username', () => {
    const p = plugin({ anonymous: 'anonymous-user' });
    expect(sync(auth().a.authenticate(p, request()))).toMatchObject({
      anonymous: true,
      consumer: { entity: { username: 'anonymous-user' } },
    });
  });
  it('answers 500 when the anonymous consumer does not exist', () => {
    const missing = '00000000-dead-4bad-8bad-000000000000';
    const d = denied(auth().a.authenticate(plugin({ anonymous: missing }), request()));
    expect(d.status).toBe(500);
    expect(JSON.parse(d.body).message).toBe(`anonymous consumer ${missing} is configured but doesn't exist`);
    expect(d.wwwAuthenticate).toBeNull();
  });
});

describe('authenticator: verified-token cache', () => {
  it('serves the second request for the same token from the cache', () => {
    const { a } = auth();
    const t = hs256({ iss: 'alice-key' });
    const first = sync(a.authenticate(plugin(), bearer(t)));
    const second = sync(a.authenticate(plugin(), bearer(t)));
    expect(second).toBe(first);
    expect(a.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 1, cacheEntries: 1 });
  });
  it('re-checks exp on a hit against an advanced clock', () => {
    const { a, advance } = auth();
    const p = plugin({ claims_to_verify: ['exp'] });
    const t = hs256({ iss: 'alice-key', exp: NOW + 60 });
    expect(sync(a.authenticate(p, bearer(t))).kind).toBe('allow');
    advance(60);
    expect(denied(a.authenticate(p, bearer(t))).body).toBe('{"exp":"token expired"}');
    expect(a.stats().cacheHits).toBe(1);
  });
  it("re-checks the route's own claims_to_verify and maximum_expiration on a hit", () => {
    const { a } = auth();
    const t = hs256({ iss: 'alice-key', exp: NOW + 3600 });
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    const strict = plugin({ claims_to_verify: ['exp', 'nbf'], maximum_expiration: 300 });
    expect(denied(a.authenticate(strict, bearer(t))).body).toBe('{"nbf":"must be a number"}');
    const max = plugin({ claims_to_verify: ['exp'], maximum_expiration: 300 });
    expect(denied(a.authenticate(max, bearer(t))).body).toBe('{"exp":"exceeds maximum allowed expiration"}');
    expect(a.stats().cacheHits).toBe(2);
  });
  it('falls back to anonymous on a cached but expired token', () => {
    const { a, advance } = auth();
    const t = hs256({ iss: 'alice-key', exp: NOW + 1 });
    expect(sync(a.authenticate(plugin({ claims_to_verify: ['exp'] }), bearer(t))).kind).toBe('allow');
    advance(5);
    expect(sync(a.authenticate(plugin({ claims_to_verify: ['exp'], anonymous: ANON_ID }), bearer(t)))).toMatchObject({ anonymous: true });
  });
  it('never lets a forged token ride on a cached genuine one', () => {
    const { a } = auth();
    const t = hs256({ iss: 'alice-key', admin: false });
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    const [h, , s] = t.split('.');
    const forged = `${h}.${b64url({ iss: 'alice-key', admin: true })}.${s}`;
    expect(message(a.authenticate(plugin(), bearer(forged)))).toBe('Invalid signature');
    const otherSig = `${h}.${t.split('.')[1]}.${'A'.repeat(s!.length)}`;
    expect(message(a.authenticate(plugin(), bearer(otherSig)))).toBe('Invalid signature');
  });
  it('misses under a different key_claim_name profile and resolves the credential again', () => {
    const { a } = auth();
    // payload iss → alice; header kid → bob; signed with alice's secret.
    const t = makeToken({ alg: 'HS256', kid: 'bob-key' }, { iss: 'alice-key' }, 'alice-secret');
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    expect(message(a.authenticate(plugin({ key_claim_name: 'kid' }), bearer(t)))).toBe('Invalid signature');
    expect(a.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 2 });
  });
  it('misses under a different secret_is_base64 profile', () => {
    const { a } = auth(fullConfig());
    const t = makeToken({ alg: 'HS256' }, { iss: 'b64' }, Buffer.from('raw secret bytes').toString('base64url'));
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    expect(message(a.authenticate(plugin({ secret_is_base64: true }), bearer(t)))).toBe('Invalid signature');
  });
  it('never caches failures', () => {
    const { a } = auth();
    const bad = hs256({ iss: 'alice-key' }, 'wrong');
    message(a.authenticate(plugin(), bearer(bad)));
    message(a.authenticate(plugin(), bearer(bad)));
    expect(a.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 2, cacheEntries: 0 });
  });
  it('caches asymmetric verifications too', () => {
    const { a } = auth(fullConfig());
    const t = asymToken('es256');
    sync(a.authenticate(plugin(), bearer(t)));
    sync(a.authenticate(plugin(), bearer(t)));
    expect(a.stats().cacheHits).toBe(1);
  });
  it('works with the cache disabled', () => {
    const { a } = auth(buildConfig(DEFAULT_CONSUMERS, { enabled: false }));
    const t = hs256({ iss: 'alice-key' });
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    expect(sync(a.authenticate(plugin(), bearer(t))).kind).toBe('allow');
    expect(a.stats()).toMatchObject({ cacheHits: 0, cacheEntries: 0 });
  });
  it('is bounded by max_entries across many tokens', () => {
    const { a } = auth(buildConfig(DEFAULT_CONSUMERS, { max_entries: 10 }));
    for (let i = 0; i < 50; i++) sync(a.authenticate(plugin(), bearer(hs256({ iss: 'alice-key', n: i }))));
    expect(a.stats()).toMatchObject({ cacheEntries: 10, cacheEvictions: 40 });
  });
  it('starts empty for a new authenticator (config reload)', () => {
    const config = buildConfig();
    const t = hs256({ iss: 'alice-key' });
    const { a } = auth(config);
    sync(a.authenticate(plugin(), bearer(t)));
    const { a: reloaded } = auth(config);
    sync(reloaded.authenticate(plugin(), bearer(t)));
    expect(reloaded.stats()).toMatchObject({ cacheHits: 0, cacheMisses: 1 });
  });
});

describe('authenticator: type confusion and hostile input', () => {
  const { a } = auth();
  it('treats a string exp or nbf as "must be a number"', () => {
    const p = plugin({ claims_to_verify: ['exp', 'nbf'] });
    const d = denied(a.authenticate(p, bearer(hs256({ iss: 'alice-key', exp: `${NOW + 100}`, nbf: NOW }))));
    expect(d.body).toBe('{"exp":"must be a number"}');
  });
  it('refuses a numeric kid in the header as an invalid key claim', () => {
    const t = makeToken({ alg: 'HS256', kid: 7 }, { sub: 'x' }, 'alice-secret');
    expect(message(a.authenticate(plugin({ key_claim_name: 'kid' }), bearer(t)))).toBe("Invalid 'kid' in claims");
  });
  it('refuses an oversized token as Bad token; invalid JSON', () => {
    const t = hs256({ iss: 'alice-key', pad: 'x'.repeat(200_000) });
    expect(message(a.authenticate(plugin(), bearer(t)))).toBe('Bad token; invalid JSON');
  });
  it('accepts a large (48 KiB claim) token like those of real identity providers', () => {
    expect(sync(a.authenticate(plugin(), bearer(hs256({ iss: 'alice-key', groups: 'g'.repeat(49152) })))).kind).toBe('allow');
  });
  it('never allows a token whose header or payload was altered, and never throws', () => {
    const t = hs256({ iss: 'alice-key', role: 'user', exp: NOW + 100 });
    const signingInput = t.slice(0, t.lastIndexOf('.'));
    const alphabet = 'ABCabc019-_+/=.%é \t';
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const chars = [...t];
      for (let k = 0, edits = 1 + rnd(3); k < edits; k++) chars[rnd(chars.length)] = alphabet[rnd(alphabet.length)]!;
      const mutated = chars.join('');
      const d = sync(a.authenticate(plugin({ claims_to_verify: ['exp'] }), bearer(mutated)));
      if (d.kind === 'allow') expect(mutated.slice(0, mutated.lastIndexOf('.'))).toBe(signingInput);
      else expect(d.kind === 'deny' && d.status).toBe(401);
    }
  });
});

describe('authenticator: precomputed decisions', () => {
  it('returns the same deny object for repeated failures of one plugin', () => {
    const { a } = auth();
    const p = plugin();
    expect(a.authenticate(p, request())).toBe(a.authenticate(p, request()));
    expect(a.authenticate(p, bearer('abc'))).toBe(a.authenticate(p, bearer('xyz')));
  });
});
