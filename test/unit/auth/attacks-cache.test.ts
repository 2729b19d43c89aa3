// Attack class: the verified-token cache — refusals never stored, every route re-decides under its own profile, reloads start clean.
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import {
  ALICE_ID,
  ANON_ID,
  BOB_ID,
  b64url,
  bearer,
  buildConfig,
  DEFAULT_CONSUMERS,
  makeToken,
  NOW,
  plugin,
  type ConsumerSpec,
} from './helpers.js';

const hmac = createHmacVerifier();
function sync(o: AuthOutcome): AuthDecision {
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return o;
}
function answer(d: AuthDecision): string {
  if (d.kind !== 'deny') return d.kind === 'allow' ? `allow ${d.consumer.entity.username}${d.anonymous ? ' (anonymous)' : ''}` : d.kind;
  const body = JSON.parse(d.body) as Record<string, unknown>;
  return `${d.status} ${typeof body.message === 'string' ? body.message : d.body}`;
}
const hs = (header: object, payload: object, secret = 'alice-secret') => makeToken({ alg: 'HS256', ...header }, payload, secret);

describe('the cache stores only tokens that were allowed', () => {
  it('stores nothing for refusals, claim failures, maximum_expiration and anonymous fallbacks', () => {
    const now = NOW;
    const a = createAuthenticator(buildConfig(), { now: () => now, hmac });
    const exp = plugin({ claims_to_verify: ['exp', 'nbf'], maximum_expiration: 300 });
    const anon = plugin({ anonymous: ANON_ID, claims_to_verify: ['exp'] });
    const refused: Array<[string, ReturnType<typeof plugin>]> = [
      [hs({}, { iss: 'alice-key' }, 'wrong'), exp],
      [hs({}, { iss: 'nobody' }), exp],
      [hs({ alg: 'HS512' }, { iss: 'alice-key' }), exp],
      ['not.a.token', exp],
      [hs({}, { iss: 'alice-key', exp: NOW - 1, nbf: NOW - 10 }), exp],
      [hs({}, { iss: 'alice-key', exp: NOW + 60, nbf: NOW + 10 }), exp],
      [hs({}, { iss: 'alice-key', exp: '9999999999', nbf: NOW }), exp],
      [hs({}, { iss: 'alice-key', exp: NOW + 301, nbf: NOW }), exp],
      [hs({}, { iss: 'alice-key', exp: NOW }), anon],
    ];
    for (const [t, p] of refused) {
      const d = sync(a.authenticate(p, bearer(t)));
      expect(d.kind === 'deny' || (d.kind === 'allow' && d.anonymous), t).toBe(true);
    }
    expect(a.stats().cacheEntries).toBe(0);
  });

  it('decides a token refused for its claims afresh once they hold, and caches it then', () => {
    let now = NOW;
    const a = createAuthenticator(buildConfig(), { now: () => now, hmac });
    const p = plugin({ claims_to_verify: ['nbf'] });
    const t = hs({}, { iss: 'alice-key', nbf: NOW + 10 });
    expect(answer(sync(a.authenticate(p, bearer(t))))).toBe('401 {"nbf":"token not valid yet"}');
    expect(a.stats().cacheEntries).toBe(0);
    now += 10;
    expect(answer(sync(a.authenticate(p, bearer(t))))).toBe('allow alice');
    expect(a.stats().cacheEntries).toBe(1);
  });

  it('still refuses an expired token on a hit stored by a route that does not check exp', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const t = hs({}, { iss: 'alice-key', exp: NOW - 1 });
    expect(answer(sync(a.authenticate(plugin(), bearer(t))))).toBe('allow alice');
    expect(a.stats().cacheEntries).toBe(1);
    expect(answer(sync(a.authenticate(plugin({ claims_to_verify: ['exp'] }), bearer(t))))).toBe('401 {"exp":"token expired"}');
  });
});

describe("a token cached under one route is re-decided under another route's profile", () => {
  // Payload iss names alice, the JOSE header kid names bob; signed with alice's secret.
  const t = hs({ kid: 'bob-key' }, { iss: 'alice-key' });

  it("key claim iss → kid: the kid route looks up bob and refuses alice's signature, in either order", () => {
    for (const order of [
      ['iss', 'kid'],
      ['kid', 'iss'],
    ] as const) {
      const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
      const want = { iss: 'allow alice', kid: '401 Invalid signature' };
      for (const name of [...order, ...order]) {
        expect(answer(sync(a.authenticate(plugin({ key_claim_name: name }), bearer(t)))), `${order.join('→')} ${name}`).toBe(want[name]);
      }
    }
  });

  it('a kid-route token with no iss is refused on the iss route even after the kid route cached it', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const byKid = hs({ kid: 'alice-key' }, { sub: 'x' });
    expect(answer(sync(a.authenticate(plugin({ key_claim_name: 'kid' }), bearer(byKid))))).toBe('allow alice');
    expect(answer(sync(a.authenticate(plugin(), bearer(byKid))))).toBe("401 No mandatory 'iss' in claims");
  });

  it('secret_is_base64 false → true: the raw-secret signature no longer verifies, and vice versa', () => {
    const secret = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64url');
    const consumers: ConsumerSpec[] = [{ id: ALICE_ID, username: 'alice', credentials: [{ key: 'alice-key', secret }] }];
    const a = createAuthenticator(buildConfig(consumers), { now: () => NOW, hmac });
    const raw = hs({}, { iss: 'alice-key' }, secret);
    const decoded = makeToken({ alg: 'HS256' }, { iss: 'alice-key' }, Buffer.from(secret, 'base64url'));
    const plain = plugin();
    const b64 = plugin({ secret_is_base64: true });
    for (let i = 0; i < 2; i++) {
      expect(answer(sync(a.authenticate(plain, bearer(raw))))).toBe('allow alice');
      expect(answer(sync(a.authenticate(b64, bearer(raw))))).toBe('401 Invalid signature');
      expect(answer(sync(a.authenticate(b64, bearer(decoded))))).toBe('allow alice');
      expect(answer(sync(a.authenticate(plain, bearer(decoded))))).toBe('401 Invalid signature');
    }
  });

  it('an anonymous route serves a cached genuine token as its real consumer (as Kong would) and a forged one as anonymous', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const good = hs({}, { iss: 'alice-key' });
    const [h, , s] = good.split('.');
    const forged = `${h}.${b64url({ iss: 'bob-key' })}.${s}`;
    expect(answer(sync(a.authenticate(plugin(), bearer(good))))).toBe('allow alice');
    const anon = plugin({ anonymous: ANON_ID });
    expect(answer(sync(a.authenticate(anon, bearer(good))))).toBe('allow alice');
    expect(answer(sync(a.authenticate(anon, bearer(forged))))).toBe('allow anonymous-user (anonymous)');
  });
});

describe('cache keys are exact token strings', () => {
  it('accepts signature variants after the first "=" (nginx stops there) as separate entries, each with its own token', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin();
    const good = hs({}, { iss: 'alice-key' });
    const variants = [good, `${good}=`, `${good}=x`, `${good}=.y.z`];
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        const d = sync(a.authenticate(p, bearer(v)));
        expect(d.kind === 'allow' && d.token, v).toBe(v);
        expect(d.kind === 'allow' && d.consumer.entity.id).toBe(ALICE_ID);
      }
    }
    expect(a.stats().cacheEntries).toBe(variants.length);
    expect(a.stats().cacheHits).toBe(variants.length);
  });

  it("a forged token sharing the genuine token's signature tail neither rides nor evicts its entry", () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin();
    const good = hs({}, { iss: 'alice-key', role: 'user' });
    const [h, , s] = good.split('.');
    const forged = `${h}.${b64url({ iss: 'alice-key', role: 'admin' })}.${s}`;
    const bobForged = `${h}.${b64url({ iss: 'bob-key' })}.${s}`;
    expect(answer(sync(a.authenticate(p, bearer(good))))).toBe('allow alice');
    for (let i = 0; i < 3; i++) {
      expect(answer(sync(a.authenticate(p, bearer(forged))))).toBe('401 Invalid signature');
      expect(answer(sync(a.authenticate(p, bearer(bobForged))))).toBe('401 Invalid signature');
    }
    const hitsBefore = a.stats().cacheHits;
    expect(answer(sync(a.authenticate(p, bearer(good))))).toBe('allow alice');
    expect(a.stats().cacheHits).toBe(hitsBefore + 1);
  });

  it("returns each consumer's own allow on hits, with its own credential", () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin();
    const ta = hs({}, { iss: 'alice-key' });
    const tb = hs({}, { iss: 'bob-key' }, 'bob-secret');
    for (let i = 0; i < 3; i++) {
      const da = sync(a.authenticate(p, bearer(ta)));
      const db = sync(a.authenticate(p, bearer(tb)));
      expect(da.kind === 'allow' && [da.consumer.entity.id, da.credential?.entity.key]).toEqual([ALICE_ID, 'alice-key']);
      expect(db.kind === 'allow' && [db.consumer.entity.id, db.credential?.entity.key]).toEqual([BOB_ID, 'bob-key']);
    }
  });
});

describe('a config reload starts from an empty cache', () => {
  it('refuses a token whose secret, credential or consumer changed in the new generation', () => {
    const t = hs({}, { iss: 'alice-key' });
    const old = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    expect(answer(sync(old.authenticate(plugin(), bearer(t))))).toBe('allow alice');
    const rotated = buildConfig([{ id: ALICE_ID, username: 'alice', credentials: [{ key: 'alice-key', secret: 'new-secret' }] }]);
    expect(answer(sync(createAuthenticator(rotated, { now: () => NOW, hmac }).authenticate(plugin(), bearer(t))))).toBe(
      '401 Invalid signature',
    );
    const removed = buildConfig([{ id: ALICE_ID, username: 'alice' }]);
    expect(answer(sync(createAuthenticator(removed, { now: () => NOW, hmac }).authenticate(plugin(), bearer(t))))).toBe(
      "401 No credentials found for given 'iss'",
    );
    const renamed = buildConfig([{ id: ALICE_ID, username: 'alice-2', credentials: [{ key: 'alice-key', secret: 'alice-secret' }] }]);
    expect(answer(sync(createAuthenticator(renamed, { now: () => NOW, hmac }).authenticate(plugin(), bearer(t))))).toBe('allow alice-2');
    // The old generation keeps answering from its own snapshot until it is dropped.
    expect(answer(sync(old.authenticate(plugin(), bearer(t))))).toBe('allow alice');
    expect(DEFAULT_CONSUMERS.length).toBeGreaterThan(0);
  });
});
