// Parity of the native and node:crypto HMAC engines over one corpus of good, bad and malformed tokens.
import { createHmac } from 'node:crypto';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import { describe, expect, it } from 'vitest';
import type { HmacAlgorithm } from '../../../src/config/types.js';
import { HMAC_MAX_TOKEN_LENGTH, VERIFY_CODE, createHmacVerifier, type HmacCodeVerifier } from '../../../src/crypto/hmac.js';
import { nativeAddon, nativeLoadError } from '../../../src/native/addon.js';

const HASH: Record<HmacAlgorithm, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(alg: HmacAlgorithm, secret: Buffer, claims: Record<string, unknown> = { iss: 'portcullis' }): string {
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac(HASH[alg], secret).update(input).digest('base64url')}`;
}

function secondDot(token: string): number {
  const first = token.indexOf('.');
  return first < 0 ? token.length : token.indexOf('.', first + 1) < 0 ? token.length : token.indexOf('.', first + 1);
}

const SECRETS = {
  short: Buffer.from('s3cr3t'),
  long: Buffer.alloc(200, 0xab), // longer than the SHA-512 block: hashed first
  empty: Buffer.alloc(0),
  binary: Buffer.from([0, 255, 1, 254, 0x80, 0x7f]),
} satisfies Record<string, Buffer>;
const ALGS: HmacAlgorithm[] = ['HS256', 'HS384', 'HS512'];

interface Case {
  name: string;
  alg: HmacAlgorithm;
  secret: Buffer;
  token: string;
  sil?: number;
  slot?: number;
  expected: number;
}

function withSignature(token: string, signature: string): string {
  return token.slice(0, token.lastIndexOf('.') + 1) + signature;
}

function corpus(): Case[] {
  const cases: Case[] = [];
  for (const alg of ALGS) {
    for (const [secretName, secret] of Object.entries(SECRETS)) {
      cases.push({ name: `valid ${alg} ${secretName} secret`, alg, secret, token: sign(alg, secret), expected: 1 });
    }
    const secret = SECRETS.short;
    const good = sign(alg, secret);
    const sig = good.slice(good.lastIndexOf('.') + 1);
    const dot = good.lastIndexOf('.');
    const add = (name: string, token: string, expected: number, extra: Partial<Case> = {}): void => {
      cases.push({ name: `${alg} ${name}`, alg, secret, token, expected, ...extra });
    };
    add('wrong secret', sign(alg, Buffer.from('other')), VERIFY_CODE.MISMATCH);
    add('tampered payload', `${good.slice(0, good.indexOf('.') + 1)}${b64({ iss: 'evil' })}.${sig}`, VERIFY_CODE.MISMATCH);
    add('signature with +', withSignature(good, `+${sig.slice(1)}`), VERIFY_CODE.BAD_SIGNATURE);
    add('signature with /', withSignature(good, `${sig.slice(0, 5)}/${sig.slice(6)}`), VERIFY_CODE.BAD_SIGNATURE);
    add('padded signature (=)', `${good}=`, VERIFY_CODE.MATCH);
    add('padded signature (==)', `${good}==`, VERIFY_CODE.MATCH);
    add('junk after padding is ignored (nginx)', `${good}=+/.!junk`, VERIFY_CODE.MATCH);
    add('signature truncated by one char', good.slice(0, -1), sig.length % 4 === 2 ? VERIFY_CODE.BAD_SIGNATURE : VERIFY_CODE.MISMATCH);
    add('signature truncated to 4 chars', withSignature(good, sig.slice(0, 4)), VERIFY_CODE.MISMATCH);
    add('signature too long', `${good}AAAA`, VERIFY_CODE.MISMATCH);
    add('signature far too long', `${good}${'A'.repeat(400)}`, VERIFY_CODE.MISMATCH);
    add(
      'signature length 1 mod 4',
      withSignature(good, 'A'.repeat(sig.length + ((1 - (sig.length % 4) + 4) % 4))),
      VERIFY_CODE.BAD_SIGNATURE,
    );
    add('empty signature', good.slice(0, dot + 1), VERIFY_CODE.MISMATCH);
    add('four segments', `${good}.extra`, VERIFY_CODE.BAD_SIGNATURE);
    add('padding then a fourth segment', `${good}=.extra`, VERIFY_CODE.MATCH);
    add('non-ASCII in payload', `${good.slice(0, dot)}é${good.slice(dot)}`, VERIFY_CODE.NOT_ASCII, { sil: dot + 1 });
    // U+0165's low byte is 'e': a Latin-1 read would see an ASCII token
    add('char whose low byte is ASCII', good.replace('e', '\u0165'), VERIFY_CODE.NOT_ASCII);
    add('lone surrogate', `${good.slice(0, dot)}\ud800${good.slice(dot)}`, VERIFY_CODE.NOT_ASCII, { sil: dot + 1 });
    add('non-ASCII in signature', withSignature(good, `${sig.slice(0, -1)}€`), VERIFY_CODE.NOT_ASCII);
    add('huge token', `${good}${'A'.repeat(HMAC_MAX_TOKEN_LENGTH)}`, VERIFY_CODE.TOO_LONG);
    add('signingInputLength at the first dot', good, VERIFY_CODE.STRUCTURE, { sil: good.indexOf('.') });
    add('signingInputLength past the end', good, VERIFY_CODE.STRUCTURE, { sil: good.length + 5 });
    add('signingInputLength negative', good, VERIFY_CODE.STRUCTURE, { sil: -1 });
    add('no dot at all', 'nodots', VERIFY_CODE.STRUCTURE, { sil: 6 });
    add('unknown slot', good, VERIFY_CODE.BAD_SLOT, { slot: 99 });
    // 20 KiB: past the addon's stack buffer, so its heap path is used
    add('20 KiB token', sign(alg, secret, { iss: 'portcullis', pad: 'x'.repeat(15000) }), VERIFY_CODE.MATCH);
  }
  // exactly at the limit still verifies; one more char is refused
  const base = sign('HS256', SECRETS.short, { pad: '' });
  const overhead = base.length;
  const pad = 'x'.repeat(Math.floor(((HMAC_MAX_TOKEN_LENGTH - overhead) * 3) / 4));
  let atLimit = sign('HS256', SECRETS.short, { pad });
  while (atLimit.length < HMAC_MAX_TOKEN_LENGTH) atLimit += '=';
  cases.push({ name: 'token of exactly the maximum length', alg: 'HS256', secret: SECRETS.short, token: atLimit, expected: 1 });
  cases.push({
    name: 'token one char over the maximum',
    alg: 'HS256',
    secret: SECRETS.short,
    token: `${atLimit}=`,
    expected: VERIFY_CODE.TOO_LONG,
  });
  return cases;
}

function run(verifier: HmacCodeVerifier, c: Case): number {
  const slot = verifier.addKey(c.alg, c.secret);
  return verifier.verifyCode(c.slot ?? slot, c.token, c.sil ?? secondDot(c.token));
}

const engines = (): HmacCodeVerifier[] =>
  nativeAddon ? [createHmacVerifier(), createHmacVerifier({ forceFallback: true })] : [createHmacVerifier({ forceFallback: true })];

describe('createHmacVerifier', () => {
  it('uses the native addon when it is built', () => {
    expect(nativeLoadError).toBeNull();
    expect(createHmacVerifier().engine).toBe('native');
  });

  it('uses node:crypto when forceFallback is set', () => {
    expect(createHmacVerifier({ forceFallback: true }).engine).toBe('node:crypto');
  });

  for (const c of corpus()) {
    it(`gives ${c.expected} on both engines: ${c.name}`, () => {
      for (const verifier of engines()) {
        expect({ engine: verifier.engine, code: run(verifier, c) }).toEqual({ engine: verifier.engine, code: c.expected });
        expect(verifier.verify(c.slot ?? 0, c.token, c.sil ?? secondDot(c.token))).toBe(
          c.expected === 1 ? AuthStatus.ok : AuthStatus.invalidSignature,
        );
      }
    });
  }

  it('agrees between engines on 6000 random mutations of valid tokens', () => {
    const [native, fallback] = [createHmacVerifier(), createHmacVerifier({ forceFallback: true })];
    let seed = 0x2545f491;
    const rand = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const alphabet = 'ABCxyz019-_+/=.é\u0165 ';
    const slots = ALGS.map((alg): [number, number] => [native.addKey(alg, SECRETS.short), fallback.addKey(alg, SECRETS.short)]);
    let matches = 0;
    for (let i = 0; i < 6000; i++) {
      const a = rand(3);
      const [nativeSlot, fallbackSlot] = slots[a]!;
      let token = sign(ALGS[a]!, SECRETS.short, { n: i });
      const edits = rand(3);
      for (let e = 0; e < edits; e++) {
        const at = rand(token.length + 1);
        const op = rand(3);
        const ch = alphabet[rand(alphabet.length)];
        token =
          op === 0
            ? token.slice(0, at) + ch + token.slice(at)
            : op === 1
              ? token.slice(0, at) + token.slice(at + 1)
              : token.slice(0, at) + ch + token.slice(at + 1);
      }
      const sil = rand(10) === 0 ? rand(token.length + 2) : secondDot(token);
      const expected = fallback.verifyCode(fallbackSlot, token, sil);
      if (expected === 1) matches++;
      expect(native.verifyCode(nativeSlot, token, sil), token).toBe(expected);
    }
    expect(matches).toBeGreaterThan(100);
  });

  it('rejects an unknown algorithm and an over-long secret when adding a key', () => {
    for (const verifier of engines()) {
      expect(() => verifier.addKey('RS256' as HmacAlgorithm, Buffer.from('k'))).toThrow(RangeError);
      expect(() => verifier.addKey('HS256', Buffer.alloc(65537))).toThrow(RangeError);
      expect(() => verifier.addKey('HS256', 'text' as unknown as Buffer)).toThrow(TypeError);
    }
  });

  it('keeps the keys of separate verifiers apart', () => {
    if (!nativeAddon) return;
    const a = createHmacVerifier();
    const b = createHmacVerifier();
    const slotA = a.addKey('HS256', Buffer.from('key-a'));
    b.addKey('HS256', Buffer.from('key-b'));
    const token = sign('HS256', Buffer.from('key-a'));
    expect(a.verify(slotA, token, secondDot(token))).toBe(AuthStatus.ok);
    expect(b.verify(slotA, token, secondDot(token))).toBe(AuthStatus.invalidSignature);
  });
});
