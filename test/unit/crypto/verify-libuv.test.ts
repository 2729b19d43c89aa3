import { describe, expect, it } from 'vitest';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import { createLibuvVerifier } from '../../../src/crypto/verify-libuv.js';
import { KEYS, signature } from '../auth/helpers.js';
import { expectEveryFamilyVerified, INPUT, pub } from './verifier-helpers.js';

describe('libuv verifier (callback crypto.verify)', () => {
  const v = createLibuvVerifier({ maxPending: 8 });
  it('accepts valid and rejects tampered signatures for every asymmetric family', async () => {
    await expectEveryFamilyVerified(v.verify);
  });
  it('answers overloaded at once, without throwing, when more than maxPending are in flight', async () => {
    const key = pub('rsa2048-a');
    const sig = signature('RS256', INPUT, KEYS['rsa2048-a']!.privatePem);
    const ok = Array.from({ length: 8 }, () => v.verify('RS256', key, INPUT, sig));
    expect(v.verify('RS256', key, INPUT, sig)).toBe(AuthStatus.overloaded);
    expect((await Promise.all(ok)).every((s) => s === AuthStatus.ok)).toBe(true);
    expect(v.stats()).toMatchObject({ rejectedFull: 1, pending: 0 });
  });
});
