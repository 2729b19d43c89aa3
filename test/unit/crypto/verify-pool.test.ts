import { afterAll, describe, expect, it } from 'vitest';
import { createVerifyPool } from '../../../src/crypto/verify-pool.js';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import type { SignatureStatus } from '../../../src/crypto/asymmetric.js';
import { KEYS, signature } from '../auth/helpers.js';
import { expectEveryFamilyVerified, INPUT, pub } from './verifier-helpers.js';

const TS_REGISTER = new URL('../../helpers/ts-register.mjs', import.meta.url).href;

describe('verify pool (piscina)', () => {
  const pool = createVerifyPool({ threads: 2, execArgv: ['--import', TS_REGISTER], maxPending: 64 });
  afterAll(() => pool.close());

  it('accepts valid and rejects tampered signatures for every asymmetric family', async () => {
    await expectEveryFamilyVerified(pool.verify);
  });

  it('resolves each verification of one batch on its own and sends each key to a thread at most a few times', async () => {
    const before = pool.stats();
    const key = pub('rsa2048-a');
    const good = signature('RS256', INPUT, KEYS['rsa2048-a']!.privatePem);
    const bad = signature('RS256', INPUT, KEYS['rsa2048-b']!.privatePem);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => pool.verify('RS256', key, INPUT, i % 2 === 0 ? good : bad)));
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? AuthStatus.ok : AuthStatus.invalidSignature)));
    const after = pool.stats();
    expect(after.batches - before.batches).toBeLessThanOrEqual(4);
    expect(after.keyUploads - before.keyUploads).toBeLessThanOrEqual(4);
    const again = await Promise.all(Array.from({ length: 20 }, () => pool.verify('RS256', key, INPUT, good)));
    expect(again.every((s) => s === AuthStatus.ok)).toBe(true);
    expect(pool.stats().keyUploads).toBeLessThanOrEqual(after.keyUploads + 2);
  });

  it('answers invalidSignature at once, without a thread, for a key that does not fit the algorithm', () => {
    expect(pool.verify('ES256', pub('rsa2048-a'), INPUT, Buffer.alloc(64, 1))).toBe(AuthStatus.invalidSignature);
    expect(pool.verify('RS256', pub('p256-a'), INPUT, Buffer.alloc(256, 1))).toBe(AuthStatus.invalidSignature);
    expect(pool.verify('ES256', pub('p256-a'), INPUT, Buffer.alloc(64, 0))).toBe(AuthStatus.invalidSignature);
  });

  it('answers overloaded synchronously, without throwing, when the bounded queue is full, and counts it', async () => {
    const key = pub('rsa4096');
    const sig = signature('RS256', INPUT, KEYS.rsa4096!.privatePem);
    const accepted: Array<Promise<SignatureStatus>> = [];
    let refused = 0;
    for (let i = 0; i < 100; i++) {
      const answer = pool.verify('RS256', key, INPUT, sig);
      if (typeof answer === 'number') {
        expect(answer).toBe(AuthStatus.overloaded);
        refused++;
      } else accepted.push(answer);
    }
    expect(accepted.length).toBe(64);
    expect(refused).toBe(36);
    expect(pool.stats().rejectedFull).toBeGreaterThanOrEqual(36);
    expect((await Promise.all(accepted)).every((s) => s === AuthStatus.ok)).toBe(true);
    expect(pool.stats().pending).toBe(0);
  });
});

describe('verify pool whose threads cannot start', () => {
  it('answers correctly inline instead of rejecting valid tokens, and reports the error', async () => {
    const errors: unknown[] = [];
    // No TypeScript loader: the worker file (.ts under vitest) cannot load.
    const broken = createVerifyPool({ threads: 1, execArgv: [], batchTimeoutMs: 300, onError: (e) => errors.push(e) });
    try {
      const key = pub('p256-a');
      const sig = signature('ES256', INPUT, KEYS['p256-a']!.privatePem);
      await expect(broken.verify('ES256', key, INPUT, sig)).resolves.toBe(AuthStatus.ok);
      await expect(broken.verify('ES256', key, `${INPUT}x`, sig)).resolves.toBe(AuthStatus.invalidSignature);
      expect(errors.length).toBeGreaterThan(0);
      expect(broken.stats().poolErrors).toBeGreaterThan(0);
    } finally {
      await broken.close();
    }
  });
});
