// The native addon façade: loading, the PORTCULLIS_DISABLE_NATIVE switch, the Keyring surface, worker threads, the malloc setting.
import { createHmac } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BUILT_IN_TOKEN_CHECK,
  BUILT_IN_VERIFY_CODE,
  MALLOC_TRIM_THRESHOLD,
  NATIVE_ALG,
  VERIFY_CODE,
  checkTokenArgs,
  nativeAddon,
  nativeLoadError,
  retainFreedHeap,
  TOKEN_CHECK,
  type NativeKeyring,
} from '../../../src/native/addon.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ADDON_URL = new URL('../../../build/Release/portcullis_native.node', import.meta.url);

/** An HS256 token whose payload is {"iss": iss} ("x" unless given), signed with `secret`. */
function hs256(secret: string, iss = 'x'): { token: string; sil: number } {
  const payload = Buffer.from(JSON.stringify({ iss })).toString('base64url');
  const input = `eyJhbGciOiJIUzI1NiJ9.${payload}`;
  return { token: `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`, sil: input.length };
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('native addon façade', () => {
  it('loads the addon built by npm install / node-gyp', () => {
    expect(nativeLoadError).toBeNull();
    expect(nativeAddon).not.toBeNull();
    expect(nativeAddon?.MAX_TOKEN_LENGTH).toBe(131072);
  });

  it('exports its verify result codes, which the node:crypto fallback uses when no addon loads', () => {
    expect(nativeAddon?.VERIFY_CODES).toBe(VERIFY_CODE);
    expect(Object.isFrozen(VERIFY_CODE)).toBe(true);
    expect({ ...VERIFY_CODE }).toEqual({ ...BUILT_IN_VERIFY_CODE });
  });

  it("exports the one-call check's answers, which the JS side knows without an addon too", () => {
    expect(nativeAddon?.TOKEN_CHECK_CODES).toBe(TOKEN_CHECK);
    expect(Object.isFrozen(TOKEN_CHECK)).toBe(true);
    expect({ ...TOKEN_CHECK }).toEqual({ ...BUILT_IN_TOKEN_CHECK });
  });

  it("checks a token in one call: a mismatch only for an indexed credential of the header's algorithm", () => {
    const keyring = new nativeAddon!.Keyring();
    const slot = keyring.addKey(NATIVE_ALG.HS256, Buffer.from('right'));
    expect(keyring.indexCredential!('x', NATIVE_ALG.HS256, slot, -1)).toBe(true);
    expect(keyring.indexCredential!('y', 9 as never, slot, -1)).toBe(false);
    const iss = keyring.claimNameId!('iss');
    expect(keyring.claimNameId!('iss')).toBe(iss);
    // hs256() signs {"iss":"x"}.
    expect(keyring.checkToken!(hs256('right').token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.MATCH);
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.MISMATCH);
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(NATIVE_ALG.HS512, iss, false))).toBe(TOKEN_CHECK.UNSURE);
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(NATIVE_ALG.HS256, iss, true))).toBe(TOKEN_CHECK.UNSURE);
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(NATIVE_ALG.HS256, 99, false))).toBe(TOKEN_CHECK.UNSURE);
    // Never throws, whatever it is handed: no algorithm has the number 3, and the arguments must be a token and a
    // non-negative integer.
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(3 as never, iss, false))).toBe(TOKEN_CHECK.UNSURE);
    for (const args of [-1, -8, 1.5e10, '0', null]) {
      expect(keyring.checkToken!(hs256('wrong').token, args as never)).toBe(TOKEN_CHECK.UNSURE);
    }
    expect((keyring.checkToken as unknown as (token: string) => number)(hs256('wrong').token)).toBe(TOKEN_CHECK.UNSURE);
    expect(keyring.checkToken!(42 as never, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.UNSURE);
    expect(keyring.checkToken!(`${hs256('wrong').token}é`, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.UNSURE);
    keyring.clear();
    expect(keyring.checkToken!(hs256('wrong').token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.UNSURE);
  });

  it("packs checkToken's arguments so the addon reads back each one: the algorithm, the base64 secret, the claim's id", () => {
    const keyring = new nativeAddon!.Keyring();
    const plain = keyring.addKey(NATIVE_ALG.HS256, Buffer.from('plain'));
    const decoded = keyring.addKey(NATIVE_ALG.HS256, Buffer.from('decoded'));
    // Ids past the first: the claim's id must come back whole from above the algorithm's and the flag's bits.
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'iss'].map((name) => keyring.claimNameId!(name));
    const iss = ids.at(-1)!;
    expect(iss).toBe(9);
    // Keys longer than a short-string buffer, looked up in turn with a short one (the lookup key is reused).
    const long = 'https://auth.example.com/tenants/7f3c2a9e';
    for (const key of [long, 'x', `${long}/more`]) keyring.indexCredential!(key, NATIVE_ALG.HS256, plain, decoded);
    for (const key of [long, 'x', `${long}/more`, long]) {
      expect(keyring.checkToken!(hs256('plain', key).token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(TOKEN_CHECK.MATCH);
      expect(keyring.checkToken!(hs256('decoded', key).token, checkTokenArgs(NATIVE_ALG.HS256, iss, true))).toBe(TOKEN_CHECK.MATCH);
      expect(keyring.checkToken!(hs256('plain', key).token, checkTokenArgs(NATIVE_ALG.HS256, iss, true))).toBe(TOKEN_CHECK.MISMATCH);
      expect(keyring.checkToken!(hs256('plain', key).token, checkTokenArgs(NATIVE_ALG.HS256, ids[0]!, false))).toBe(TOKEN_CHECK.UNSURE);
    }
    expect(keyring.checkToken!(hs256('plain', `${long}/other`).token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(
      TOKEN_CHECK.UNSURE,
    );
  });

  it('reports null with a reason when PORTCULLIS_DISABLE_NATIVE=1', async () => {
    vi.resetModules();
    vi.stubEnv('PORTCULLIS_DISABLE_NATIVE', '1');
    const fresh = await import('../../../src/native/addon.js');
    expect(fresh.nativeAddon).toBeNull();
    expect(fresh.nativeLoadError).toMatch(/PORTCULLIS_DISABLE_NATIVE=1/);
    const { createHmacVerifier } = await import('../../../src/crypto/hmac.js');
    expect(createHmacVerifier().engine).toBe('node:crypto');
  });

  it('hands out slots in order and verifies against the right one', () => {
    const keyring = new nativeAddon!.Keyring();
    expect(keyring.addKey(NATIVE_ALG.HS256, Buffer.from('a'))).toBe(0);
    expect(keyring.addKey(NATIVE_ALG.HS256, Buffer.from('b'))).toBe(1);
    expect(keyring.size).toBe(2);
    const { token, sil } = hs256('b');
    expect(keyring.verify(1, token, sil)).toBe(VERIFY_CODE.MATCH);
    expect(keyring.verify(0, token, sil)).toBe(VERIFY_CODE.MISMATCH);
    keyring.clear();
    expect(keyring.size).toBe(0);
    expect(keyring.verify(1, token, sil)).toBe(VERIFY_CODE.BAD_SLOT);
  });

  it('verify and checkToken keep working apart from their keyring, which they keep alive through collections', async () => {
    const calls: { verify: NativeKeyring['verify']; checkToken: NonNullable<NativeKeyring['checkToken']>; iss: number }[] = [];
    for (let i = 0; i < 200; i++) {
      const keyring = new nativeAddon!.Keyring();
      const slot = keyring.addKey(NATIVE_ALG.HS256, Buffer.from(i % 2 === 0 ? 'right' : 'wrong'));
      keyring.indexCredential!('x', NATIVE_ALG.HS256, slot, -1);
      const { verify, checkToken } = keyring;
      calls.push({ verify, checkToken: checkToken!, iss: keyring.claimNameId!('iss') });
    }
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { token, sil } = hs256('right');
    calls.forEach(({ verify, checkToken, iss }, i) => {
      expect(verify(0, token, sil)).toBe(i % 2 === 0 ? VERIFY_CODE.MATCH : VERIFY_CODE.MISMATCH);
      expect(checkToken(token, checkTokenArgs(NATIVE_ALG.HS256, iss, false))).toBe(i % 2 === 0 ? TOKEN_CHECK.MATCH : TOKEN_CHECK.MISMATCH);
    });
  });

  it('throws on bad addKey arguments (config time) but never from verify', () => {
    const keyring = new nativeAddon!.Keyring();
    expect(() => keyring.addKey(7 as 0, Buffer.from('k'))).toThrow(RangeError);
    expect(() => keyring.addKey(0, 'k' as unknown as Buffer)).toThrow(TypeError);
    expect(() => keyring.addKey(0, new Uint16Array(2) as unknown as Buffer)).toThrow(TypeError);
    expect(() => keyring.addKey(0, Buffer.alloc(65537))).toThrow(RangeError);
    const slot = keyring.addKey(0, new Uint8Array(0));
    const verify = keyring.verify as (...args: unknown[]) => number;
    expect(verify.call(keyring, slot, 42, 3)).toBe(VERIFY_CODE.BAD_ARGUMENT);
    expect(verify.call(keyring, slot, 'a.b.c')).toBe(VERIFY_CODE.BAD_ARGUMENT);
    expect(verify.call(keyring, 'x', 'a.b.c', 3)).toBe(VERIFY_CODE.BAD_ARGUMENT);
    expect(verify.call(keyring, slot, 'a.b.c', Number.NaN)).toBe(VERIFY_CODE.STRUCTURE);
    expect(verify.call(keyring, slot, 'a.b.cc', 3)).toBe(VERIFY_CODE.MISMATCH);
    expect(verify.call(keyring, slot, 'a.b.c', 3)).toBe(VERIFY_CODE.BAD_SIGNATURE);
  });

  it('loads and verifies inside a worker thread', async () => {
    const { token, sil } = hs256('worker-secret');
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const addon = require(workerData.path);
      const keyring = new addon.Keyring();
      const slot = keyring.addKey(0, Buffer.from('worker-secret'));
      parentPort.postMessage(keyring.verify(slot, workerData.token, workerData.sil));
    `;
    const worker = new Worker(code, { eval: true, workerData: { path: ADDON_URL.pathname, token, sil } });
    const result = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(result).toBe(VERIFY_CODE.MATCH);
  });

  describe('freed heap kept mapped (malloc trim threshold)', () => {
    // glibc reports its version in the process report; musl and other platforms do not.
    const glibc =
      process.platform === 'linux' &&
      Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

    it('raises the trim threshold on glibc and says so; other C libraries are left alone', () => {
      expect(typeof nativeAddon?.setMallocTrimThreshold, 'an addon built before this export: run npm run build').toBe('function');
      expect(MALLOC_TRIM_THRESHOLD).toBe(32 * 1024 * 1024);
      expect(retainFreedHeap()).toBe(glibc);
    });

    it('refuses a negative or oversized threshold', () => {
      expect(nativeAddon!.setMallocTrimThreshold!(-1)).toBe(false);
      expect(nativeAddon!.setMallocTrimThreshold!(2 ** 40)).toBe(false);
    });

    it('keeps a trim threshold that GLIBC_TUNABLES sets', () => {
      vi.stubEnv('GLIBC_TUNABLES', 'glibc.malloc.trim_threshold=1048576');
      expect(retainFreedHeap()).toBe(false);
    });
  });
});
