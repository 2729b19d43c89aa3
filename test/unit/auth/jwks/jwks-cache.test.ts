import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createJwksCache,
  DEFAULT_JWKS_SETTINGS,
  type JwksCache,
  type JwksEvent,
  type JwksSettings,
} from '../../../../src/auth/jwks/jwks-cache.js';
import { startIdp, type TestIdp } from '../../../helpers/test-idp.js';

let idp: TestIdp;
beforeAll(async () => {
  idp = await startIdp();
});
afterAll(() => idp.close());

let clock = 1_000_000;
let caches: JwksCache[] = [];
let events: JwksEvent[] = [];
afterEach(() => {
  for (const c of caches) c.close();
  caches = [];
  events = [];
  idp.mode = 'ok';
  idp.cacheControl = 'public, max-age=300';
});

function cache(settings: Partial<JwksSettings> = {}, uri = idp.jwksUri): JwksCache {
  const s = { ...DEFAULT_JWKS_SETTINGS, fetchTimeoutMs: 300, ...settings };
  const c = createJwksCache(uri, { settings: () => s, now: () => clock, timers: false, onEvent: (e) => events.push(e) });
  caches.push(c);
  return c;
}

describe('JWKS cache', () => {
  it('loads on creation and selects the key by kid, checking the algorithm', async () => {
    const c = cache();
    await c.refresh();
    expect(c.ready).toBe(true);
    expect(c.key(idp.current.kid, 'RS256')).not.toBeNull();
    expect(c.key(idp.current.kid, 'ES256')).toBeNull();
    expect(c.key(undefined, 'RS256')).not.toBeNull();
  });

  it('clamps Cache-Control max-age into the configured bounds', async () => {
    idp.cacheControl = 'max-age=100000';
    const c = cache({ cacheMinSeconds: 10, cacheMaxSeconds: 60 });
    await c.refresh();
    const before = idp.fetches;
    clock += 59_000;
    expect(c.key(idp.current.kid, 'RS256')).not.toBeNull();
    expect(idp.fetches).toBe(before);
    clock += 2_000;
    c.key(idp.current.kid, 'RS256'); // expired: served from cache while a background refresh runs
    await c.refresh();
    expect(idp.fetches).toBe(before + 1);
    clock += 1_000_000;
  });

  it('refetches once for an unknown kid and finds a rotated key without waiting for expiry', async () => {
    const c = cache({ refetchIntervalSeconds: 10 });
    await c.refresh();
    const next = idp.rotate();
    clock += 10_000;
    const found = c.key(next.kid, 'RS256');
    expect(found).toBeInstanceOf(Promise);
    expect(await found).not.toBeNull();
    expect(events.filter((e) => e.type === 'changed')).toHaveLength(1);
  });

  it('makes at most one fetch per refetch interval when random kids are sprayed', async () => {
    const c = cache({ refetchIntervalSeconds: 10 });
    await c.refresh();
    clock += 10_000;
    const before = idp.fetches;
    const results = await Promise.all(Array.from({ length: 500 }, (_, i) => c.key(`spray-${i}`, 'RS256')));
    expect(results.every((r) => r === null)).toBe(true);
    expect(idp.fetches - before).toBe(1);
    // Still within the interval: no fetch at all, answered at once.
    clock += 5_000;
    for (let i = 0; i < 100; i++) expect(c.key(`again-${i}`, 'RS256')).toBeNull();
    expect(idp.fetches - before).toBe(1);
    expect(c.stats().refetchesSuppressed).toBe(100);
  });

  it('keeps serving the last good keys when the IdP goes down later, and counts and logs the failures', async () => {
    const c = cache({ cacheMaxSeconds: 60 });
    await c.refresh();
    const kid = idp.current.kid;
    for (const mode of ['reset', 'error500', 'not-json', 'no-keys-array'] as const) {
      idp.mode = mode;
      clock += 61_000;
      c.key(kid, 'RS256');
      await c.refresh();
      expect(c.key(kid, 'RS256')).not.toBeNull();
    }
    expect(c.stats().fetchErrors).toBe(4);
    expect(events.filter((e) => e.type === 'fetch-failed').map((e) => e.message)).toEqual([
      expect.stringMatching(/request failed.*serving the last good keys$/),
      expect.stringMatching(/HTTP status 500/),
      expect.stringMatching(/body is not JSON/),
      expect.stringMatching(/malformed JWKS: expected a JWK Set/),
    ]);
  });

  it('is not ready while the IdP is down at start, then loads once it comes up', async () => {
    idp.mode = 'reset';
    const c = cache({ refetchIntervalSeconds: 5 });
    await c.refresh();
    expect(c.ready).toBe(false);
    expect(c.key(idp.current.kid, 'RS256')).toBeNull(); // within the interval: no new fetch, no key
    idp.mode = 'ok';
    clock += 5_000;
    expect(await c.key(idp.current.kid, 'RS256')).not.toBeNull();
    expect(c.ready).toBe(true);
  });

  it('gives up on a slow IdP after the fetch timeout instead of hanging requests', async () => {
    idp.mode = 'slow';
    idp.slowMs = 2000;
    const c = cache({ fetchTimeoutMs: 200 });
    const started = Date.now();
    await c.refresh();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(c.stats().lastError).toMatch(/timed out after 200 ms/);
    expect(c.ready).toBe(false);
  });

  it('skips a key with the wrong kty, serves the others, and keeps the last good keys when nothing usable is left', async () => {
    idp.mode = 'wrong-kty';
    const c = cache({ cacheMaxSeconds: 60 });
    await c.refresh();
    const kid = idp.current.kid;
    expect(c.key(kid, 'RS256')).not.toBeNull();
    expect(c.stats().keysSkipped).toBe(1);
    expect(events.find((e) => e.type === 'keys-skipped')?.message).toMatch(/keys\[0\]: kty\/crv "EC"|its alg|kty "EC" does not fit RS256/);
    idp.mode = 'only-wrong-kty';
    clock += 61_000;
    c.key(kid, 'RS256');
    await c.refresh();
    expect(c.key(kid, 'RS256')).not.toBeNull();
    expect(c.stats().lastError).toMatch(/no usable signing key/);
  });

  it('refuses a body over the size limit', async () => {
    idp.rotate();
    idp.rotate();
    const c = cache({ maxBytes: 1024 });
    await c.refresh();
    expect(c.stats().lastError).toMatch(/body larger than 1024 bytes/);
  });

  it('reports an unreachable IdP as a fetch error, never throwing', async () => {
    const c = cache({}, 'http://127.0.0.1:1/.well-known/jwks.json');
    await c.refresh();
    expect(c.stats()).toMatchObject({ loaded: false, fetchErrors: 1 });
  });
});
