import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createTokenDecoder,
  decodeToken,
  MAX_TOKEN_LENGTH,
  type DecodeResult,
  type DecodedToken,
} from '../../../src/auth/token-decoder.js';
import { AuthStatus } from '../../../src/auth/auth-status.js';
import { b64url, hs256 } from './helpers.js';

const H = b64url({ alg: 'HS256', typ: 'JWT' });
const P = b64url({ iss: 'alice-key' });

function ok(token: string): DecodedToken {
  const r = decodeToken(token);
  if (typeof r === 'number') throw new Error(`unexpected error ${r}`);
  return r;
}

describe('decodeToken', () => {
  it('decodes header, claims, alg and the signature bounds', () => {
    const token = hs256({ iss: 'alice-key', sub: '1' });
    const d = ok(token);
    expect(d.alg).toBe('HS256');
    expect(d.claims).toEqual({ iss: 'alice-key', sub: '1' });
    expect(token[d.signingInputLength]).toBe('.');
    expect(d.signatureStart).toBe(d.signingInputLength + 1);
    expect(d.signatureEnd).toBe(token.length);
  });

  it('reports fewer than three segments as invalid JSON', () => {
    expect(decodeToken('abc')).toBe(AuthStatus.badTokenJson);
    expect(decodeToken(`${H}.${P}`)).toBe(AuthStatus.badTokenJson);
    expect(decodeToken('')).toBe(AuthStatus.badTokenJson);
  });

  it('reports a fourth segment as an invalid signature (the third part keeps the dots)', () => {
    expect(decodeToken(`${H}.${P}.sig.extra`)).toBe(AuthStatus.badTokenSignature);
  });

  it('refuses standard-base64 characters in the header or payload as invalid JSON', () => {
    expect(decodeToken(`${H}+.${P}.sig`)).toBe(AuthStatus.badTokenJson);
    expect(decodeToken(`${H}.${P}/.sig`)).toBe(AuthStatus.badTokenJson);
  });

  it('refuses + or / in the signature as an invalid signature', () => {
    expect(decodeToken(`${H}.${P}.ab+d`)).toBe(AuthStatus.badTokenSignature);
    expect(decodeToken(`${H}.${P}.ab/d`)).toBe(AuthStatus.badTokenSignature);
  });

  it('refuses a segment whose length is 1 mod 4', () => {
    expect(decodeToken(`${H}.${P}.abcde`)).toBe(AuthStatus.badTokenSignature);
    expect([AuthStatus.badTokenJson, AuthStatus.badTokenAlg, AuthStatus.badTokenClaims, AuthStatus.badTokenSignature]).toContain(
      decodeToken(`${H}A.${P}.sig`),
    );
  });

  it('accepts optional = padding and ignores everything after the first =', () => {
    const padded = `${H}==`.slice(0, H.length + ((4 - (H.length % 4)) % 4));
    expect(ok(`${padded}.${P}.abcd`).alg).toBe('HS256');
    const d = ok(`${H}.${P}.abcd=+/!`);
    expect(d.signatureEnd - d.signatureStart).toBe(4);
  });

  it('decodes an empty signature segment (verification then fails)', () => {
    const d = ok(`${H}.${P}.`);
    expect(d.signatureEnd).toBe(d.signatureStart);
  });

  it('reports text in front of a valid token as invalid JSON', () => {
    expect(decodeToken(`no-way-this-works${hs256({ iss: 'x' })}`)).toBe(AuthStatus.badTokenJson);
  });

  it('reports a header that is not JSON as invalid JSON, even when the alg would also be bad', () => {
    expect(decodeToken(`${b64url('{nope')}.${P}.sig`)).toBe(AuthStatus.badTokenJson);
    expect(decodeToken(`${b64url({ alg: 'none' })}.${b64url('{')}.sig+`)).toBe(AuthStatus.badTokenJson);
  });

  it('requires alg to be one of the 13 exact names', () => {
    for (const alg of ['none', 'None', 'NONE', 'hs256', 'RS1', 'foo', '', 'HS256 ']) {
      expect(decodeToken(`${b64url({ alg })}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    }
    expect(decodeToken(`${b64url({ typ: 'JWT' })}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    expect(decodeToken(`${b64url({ alg: 256 })}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    expect(decodeToken(`${b64url({ alg: ['HS256'] })}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    expect(decodeToken(`${b64url('{"__proto__":{"alg":"HS256"}}')}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    for (const alg of [
      'HS256',
      'HS384',
      'HS512',
      'RS256',
      'RS384',
      'RS512',
      'ES256',
      'ES384',
      'ES512',
      'PS256',
      'PS384',
      'PS512',
      'EdDSA',
    ]) {
      expect(ok(`${b64url({ alg })}.${P}.sig`).alg).toBe(alg);
    }
  });

  it('answers 401-style invalid alg for a header that is null, a number, a boolean, a string or an array', () => {
    for (const header of ['null', '123', 'true', 'false', '"HS256"', '["HS256"]']) {
      expect(decodeToken(`${b64url(header)}.${P}.sig`)).toBe(AuthStatus.badTokenAlg);
    }
  });

  it('reports a payload of false (and null, numbers, true) as invalid claims', () => {
    for (const payload of ['false', 'null', '42', 'true']) {
      expect(decodeToken(`${H}.${b64url(payload)}.sig`)).toBe(AuthStatus.badTokenClaims);
    }
  });

  it('checks alg before claims and claims before the signature', () => {
    expect(decodeToken(`${b64url({ alg: 'x' })}.${b64url('false')}.+`)).toBe(AuthStatus.badTokenAlg);
    expect(decodeToken(`${H}.${b64url('false')}.+`)).toBe(AuthStatus.badTokenClaims);
  });

  it('exposes an array or string payload as empty claims', () => {
    expect(ok(`${H}.${b64url('[1,2]')}.sig`).claims).toEqual({});
    expect(ok(`${H}.${b64url('"iss"')}.sig`).claims).toEqual({});
  });

  it('ignores typ entirely', () => {
    expect(ok(`${b64url({ alg: 'HS256', typ: 'jwt' })}.${P}.sig`).alg).toBe('HS256');
    expect(ok(`${b64url({ alg: 'HS256', typ: 'at+jwt' })}.${P}.sig`).alg).toBe('HS256');
  });

  it(`refuses tokens longer than ${MAX_TOKEN_LENGTH} characters as invalid JSON`, () => {
    const big = `${H}.${b64url({ iss: 'a'.repeat(MAX_TOKEN_LENGTH) })}.sig`;
    expect(decodeToken(big)).toBe(AuthStatus.badTokenJson);
    const large = `${H}.${b64url({ iss: 'a'.repeat(49152) })}.sig`;
    expect(ok(large).alg).toBe('HS256');
  });

  it('survives deeply nested JSON without throwing', () => {
    const deep = '['.repeat(50000) + ']'.repeat(50000);
    const r = decodeToken(`${H}.${b64url(deep)}.sig`);
    expect(typeof r === 'number' || r.alg === 'HS256').toBe(true);
  });

  it('refuses non-ASCII characters in any segment', () => {
    expect(decodeToken(`${H}é.${P}.sig`)).toBe(AuthStatus.badTokenJson);
    expect(decodeToken(`${H}.${P}.sïg`)).toBe(AuthStatus.badTokenSignature);
  });
});

describe('createTokenDecoder (the request path: remembers the last header segment, reuses one scratch buffer)', () => {
  const ES = b64url({ alg: 'ES256' });
  const tokens = [
    hs256({ iss: 'alice-key', sub: '1' }),
    `${H}.${P}.c2ln`,
    `${H}=.${P}.c2ln`, // the same header with padding: a different segment, the same JSON
    `${ES}.${P}.c2ln`,
    `${b64url({ alg: 'none' })}.${P}.c2ln`,
    `${b64url({ alg: 'HS25' })}.${P}.c2ln`, // same length as H's alg: the segment still differs
    `${b64url([1])}.${P}.c2ln`,
    `${H}.${b64url('false')}.c2ln`,
    `${H}.not+json.c2ln`,
    `${H}.${P}.si+g`,
    `${H.slice(0, -1)}.${P}.c2ln`,
    `${H}.${b64url({ iss: 'x'.repeat(5000) })}.c2ln`, // grows the scratch buffer
    `.${P}.c2ln`,
    hs256({ iss: 'bob-key', nested: { a: [1, 2] } }),
    // Payloads the key-claim scanner reads, and ones it must leave to JSON.parse.
    `${H}.${Buffer.from('{"iss":"a","sub":"1","iss":"b"}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"i\\u0073s":"x"}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"iss":"x\\ny"}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from(' {\t"iss" : "a" ,"n":[1,-2.5e+3,{"t":true}],"z":null}\r\n').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"iss":5}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"iss":"a",}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"iss":"a"} x').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from('{"sub":"\u00e9","iss":"a"}').toString('base64url')}.c2ln`,
    `${H}.${Buffer.from(`{"iss":"a","d":${'['.repeat(40)}${']'.repeat(40)}}`).toString('base64url')}.c2ln`,
    `${H}.${b64url({ sub: 'no-iss' })}.c2ln`,
  ];

  /** What a caller sees of a decode result: the status, or the parts, the claims and the key claim. */
  function view(result: DecodeResult): unknown {
    if (typeof result === 'number') return result;
    const { header, claims, alg, signingInputLength, signatureStart, signatureEnd } = result;
    return { header, claims, alg, signingInputLength, signatureStart, signatureEnd, iss: result.claim('iss') };
  }

  it('answers every token as a fresh decodeToken does, whatever came before it', () => {
    const decoder = createTokenDecoder();
    for (let round = 0; round < 3; round++) {
      const order = round === 1 ? [...tokens].reverse() : round === 2 ? tokens.flatMap((t) => [t, tokens[0]!]) : tokens;
      for (const token of order) expect(view(decoder.decode(token))).toEqual(view(decodeToken(token)));
    }
  });

  it('reads the key claim without parsing the payload, and gives the same answers and claims as a full parse', () => {
    const decoder = createTokenDecoder();
    for (const token of [...tokens, ...tokens]) {
      const scanned = decoder.decode(token, 'iss');
      // The key claim first (what a refused token stops at), then the claims parsed on demand.
      const key = typeof scanned === 'number' ? null : scanned.claim('iss');
      expect(view(scanned)).toEqual(view(decodeToken(token)));
      if (typeof scanned !== 'number') expect(key).toBe((decodeToken(token) as DecodedToken).claim('iss'));
    }
  });

  it("parses a scanned token's claims from the bytes its decode left, or decodes them again after other tokens", () => {
    const decoder = createTokenDecoder();
    // Read at once (a first verification), after one more decode, and after a decode that grew the scratch buffer.
    const a = decoder.decode(tokens[0]!, 'iss') as DecodedToken;
    expect(a.claims).toEqual(ok(tokens[0]!).claims);
    const b = decoder.decode(tokens[13]!, 'iss') as DecodedToken;
    const c = decoder.decode(tokens[0]!, 'iss') as DecodedToken;
    expect(b.claims).toEqual(ok(tokens[13]!).claims);
    const d = decoder.decode(tokens[11]!, 'iss') as DecodedToken;
    expect(c.claims).toEqual(ok(tokens[0]!).claims);
    expect(d.claims).toEqual(ok(tokens[11]!).claims);
    // Any interleaving of decodes (refused ones too) and first reads of earlier tokens' claims.
    const step = fc.oneof(fc.record({ decode: fc.integer({ min: 0, max: tokens.length - 1 }) }), fc.record({ read: fc.nat() }));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const fresh = createTokenDecoder();
        const open: Array<{ token: string; decoded: DecodedToken }> = [];
        for (const s of steps) {
          if ('decode' in s) {
            const token = tokens[s.decode]!;
            const r = fresh.decode(token, 'iss');
            if (typeof r !== 'number') open.push({ token, decoded: r });
          } else if (open.length > 0) {
            const [{ token, decoded }] = open.splice(s.read % open.length, 1) as [(typeof open)[number]];
            expect(decoded.claims).toEqual(ok(token).claims);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('hands out a remembered header frozen, so no caller can change what the next token sees', () => {
    const decoder = createTokenDecoder();
    const first = decoder.decode(`${H}.${P}.c2ln`) as DecodedToken;
    const second = decoder.decode(`${H}.${b64url({ iss: 'bob-key' })}.c2ln`) as DecodedToken;
    expect(second.header).toBe(first.header);
    expect(Object.isFrozen(second.header)).toBe(true);
    expect(second.claims).toEqual({ iss: 'bob-key' });
  });
});
