// Shared cases for the asymmetric verifiers' tests: one key per algorithm family, and the accept/reject check over all of them.
import { createPublicKey } from 'node:crypto';
import { expect } from 'vitest';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import type { AsymmetricVerify } from '../../../src/crypto/asymmetric.js';
import type { JwtAlgorithm } from '../../../src/config/types.js';
import { KEYS, signature } from '../auth/helpers.js';

export const INPUT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0';
export const pub = (name: string) => createPublicKey(KEYS[name]!.publicPem);

const CASES: Array<[JwtAlgorithm, string]> = [
  ['RS256', 'rsa2048-a'],
  ['PS384', 'rsa3072'],
  ['RS512', 'rsa4096'],
  ['ES256', 'p256-a'],
  ['ES384', 'p384'],
  ['ES512', 'p521'],
  ['EdDSA', 'ed25519-a'],
  ['EdDSA', 'ed448'],
];

/** A valid signature of every family verifies (a Promise of `ok`) and the same signature over tampered input is `invalidSignature`. */
export async function expectEveryFamilyVerified(verify: AsymmetricVerify): Promise<void> {
  for (const [alg, name] of CASES) {
    const key = pub(name);
    const sig = signature(alg, INPUT, KEYS[name]!.privatePem);
    await expect(verify(alg, key, INPUT, sig)).resolves.toBe(AuthStatus.ok);
    await expect(verify(alg, key, `${INPUT}x`, sig)).resolves.toBe(AuthStatus.invalidSignature);
  }
}
