// Fuzzes token extraction and decoding against simple reference models: Kong's Bearer regex, a naive JWT split.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken, cookieValue, createTokenExtractor, unescapeQueryValue } from '../../src/auth/token-extractor.js';
import { createTokenDecoder, decodeToken, ownValue } from '../../src/auth/token-decoder.js';
import { SCAN_UNSURE, scanKeyClaim } from '../../src/auth/claim-scan.js';
import { AuthStatus } from '../../src/auth/auth-status.js';
import { JWT_ALGORITHMS } from '../../src/config/types.js';
import { jwtConfigDefaults } from '../../src/config/fields.js';
import { corpus, RUNS } from './fuzz-settings.js';

/** Kong's rule as written: nginx trims trailing blanks, then PCRE `[Bb]earer\s+(.+)` (ASCII \s, `.` stops at LF). */
function bearerModel(raw: string): string | undefined {
  const value = raw.replace(/[ \t]+$/, '');
  const m = /[Bb]earer[\t\n\v\f\r ]+([^\n]+)/.exec(value);
  return m === null ? undefined : m[1];
}

/**
 * nginx's $cookie_<name> as its documentation and source describe it, written with regexes: at each cookie's start,
 * the name (ASCII letters in either case), spaces, '=', spaces, then the value up to ';'; a name followed by something
 * else gives up that character too; the next cookie starts after ';' or ',' and the spaces after it.
 */
function cookieModel(header: string, lowerName: string): string | undefined {
  const name = [...lowerName]
    .map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const cookie = new RegExp(`^${name} *=(?: *)([^;]*)`, 's');
  const nameThenOther = new RegExp(`^${name} *[^=]`, 's');
  let rest = header;
  while (rest.length > 0) {
    const m = cookie.exec(rest);
    if (m !== null) return m[1];
    const other = nameThenOther.exec(rest);
    if (other !== null) rest = rest.slice(other[0].length);
    const sep = /[;,]/.exec(rest);
    rest = sep === null ? '' : rest.slice(sep.index + 1).replace(/^ +/, '');
  }
  return undefined;
}

const headerChars = fc.constantFrom('B', 'b', 'e', 'a', 'r', ' ', '\t', '\n', '\r', '\v', 'x', '.', '=', ';', 'j', 't', 'é');
const headerText = fc.oneof(
  fc.string({ unit: headerChars, maxLength: 24 }),
  fc
    .tuple(fc.constantFrom('Bearer ', 'bearer  ', 'Bearer\t', 'xBearer ', ' Bearer '), fc.string({ unit: headerChars, maxLength: 16 }))
    .map(([a, b]) => a + b),
  fc.string(),
);

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('token extraction (fuzzed)', () => {
  it("finds the Bearer token exactly as Kong's regex does", () => {
    fc.assert(
      fc.property(headerText, (raw) => {
        expect(bearerToken(raw)).toBe(bearerModel(raw));
      }),
      { numRuns: RUNS, examples: corpus<string>('bearer').map((s) => [s]) },
    );
  });

  it("reads cookies as nginx's $cookie_ does", () => {
    // Whole names, separators and values, so that names after ',' or ';', spaces and quirks meet often.
    const cookiePiece = fc.constantFrom('jwt', 'JwT', 'jÉ', 'jé', 'j', 'a', 'w', '=', ';', ',', ' ', '  ', '\t', 'x.y');
    const cookieHeader = fc.array(cookiePiece, { maxLength: 14 }).map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(cookieHeader, fc.constantFrom('jwt', 'j', 'a', 'jÉ'), (header, name) => {
        expect(cookieValue(header, name)).toBe(cookieModel(header, name));
      }),
      { numRuns: RUNS },
    );
  });

  it('decodes query values as ngx.unescape_uri, never throwing', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = unescapeQueryValue(s);
        if (!s.includes('%')) expect(out).toBe(s.replace(/\+/g, ' '));
        let model: string | null = null;
        try {
          model = decodeURIComponent(s.replace(/\+/g, ' '));
        } catch {
          /* malformed escapes: nginx keeps them literal, decodeURIComponent throws */
        }
        // Valid escapes of valid UTF-8: the reference decoder agrees.
        if (model !== null && /^[\x20-\x7e]*$/.test(s)) expect(out).toBe(model);
      }),
      { numRuns: RUNS, examples: corpus<string>('query-values').map((s) => [s]) },
    );
  });

  it('extracts from any request without throwing and finds a lone Authorization token', () => {
    const extractor = createTokenExtractor({ ...jwtConfigDefaults(), cookie_names: ['jwt'] });
    fc.assert(
      fc.property(
        fc.string(),
        fc.option(headerText),
        fc.option(fc.string()),
        fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/),
        (query, auth, cookie, token) => {
          const headers = new Map<string, string>();
          if (auth !== null) headers.set('authorization', auth);
          if (cookie !== null) headers.set('cookie', cookie);
          extractor.extract({ method: 'GET', query, header: (n) => headers.get(n), headers: [...headers].flat() });
          const lone = new Map([['authorization', `Bearer ${token}`]]);
          expect(extractor.extract({ method: 'GET', query: '', header: (n) => lone.get(n), headers: [...lone].flat() })).toBe(token);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('token decoding (fuzzed)', () => {
  const messages = new Set<unknown>([
    AuthStatus.badTokenJson,
    AuthStatus.badTokenAlg,
    AuthStatus.badTokenClaims,
    AuthStatus.badTokenSignature,
  ]);

  it("never throws: any string decodes or gets the status of one of Kong's bad-token answers", () => {
    const segment = fc.oneof(
      fc.string(),
      fc.json().map((j) => Buffer.from(j).toString('base64url')),
      fc.constant(''),
    );
    const token = fc.oneof(
      fc.string(),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((p) => p.join('.')),
    );
    fc.assert(
      fc.property(token, (t) => {
        const r = decodeToken(t);
        if (typeof r === 'number') expect(messages.has(r)).toBe(true);
        else expect(r.signingInputLength).toBe(t.indexOf('.', t.indexOf('.') + 1));
      }),
      { numRuns: RUNS, examples: corpus<string>('tokens').map((s) => [s]) },
    );
  });

  it('decodes well-formed tokens to what a naive split-and-parse gives', () => {
    const claims = fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__'),
      fc.jsonValue(),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...JWT_ALGORITHMS),
        claims,
        claims,
        fc.uint8Array({ maxLength: 64 }),
        (alg, extraHeader, payload, sig) => {
          const header = { ...extraHeader, alg };
          const token = `${b64(header)}.${b64(payload)}.${Buffer.from(sig).toString('base64url')}`;
          const r = decodeToken(token);
          if (typeof r === 'number') throw new Error(`refused a well-formed token: ${r}`);
          const [h, p] = token
            .split('.')
            .slice(0, 2)
            .map((s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown);
          expect(r.alg).toBe(alg);
          expect(r.header).toEqual(h);
          expect(r.claims).toEqual(p);
          expect(Buffer.from(token.slice(r.signatureStart, r.signatureEnd), 'base64url')).toEqual(Buffer.from(sig));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("vouches for a payload only when JSON.parse accepts it as an object, and reads the key claim as JSON.parse's object has it", () => {
    const jsonish = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '"',
      '\\',
      ':',
      ',',
      ' ',
      '\t',
      '\n',
      'i',
      's',
      'u',
      '0',
      '1',
      '9',
      '-',
      '+',
      '.',
      'e',
      'E',
      't',
      'r',
      'n',
      'l',
      'f',
      'a',
      '\u0001',
      '\u007f',
      'é',
      '/',
      'b',
    );
    const objects = fc.dictionary(fc.oneof(fc.constantFrom('iss', 'is', 'iss ', 'kid'), fc.string({ maxLength: 6 })), fc.jsonValue(), {
      maxKeys: 6,
    });
    const mutate = (text: string, at: number, cut: number, insert: string): string => {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + cut);
    };
    const payload = fc.oneof(
      objects.map((o) => JSON.stringify(o)),
      objects.map((o) => JSON.stringify(o, null, 1)),
      fc
        .tuple(objects, fc.nat(), fc.nat({ max: 2 }), fc.string({ unit: jsonish, maxLength: 3 }))
        .map(([o, at, cut, ins]) => mutate(JSON.stringify(o), at, cut, ins)),
      fc.string({ unit: jsonish, maxLength: 40 }),
      fc.string({ unit: jsonish, maxLength: 30 }).map((s) => `{"iss":"a"${s}`),
      fc.json(),
    );
    fc.assert(
      fc.property(payload, fc.constantFrom('iss', 'kid', 'is'), (text, name) => {
        const bytes = Buffer.from(text, 'utf8');
        const scanned = scanKeyClaim(bytes, bytes.length, name);
        if (scanned === SCAN_UNSURE) return;
        const parsed = JSON.parse(bytes.toString('utf8')) as unknown;
        expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
        expect(ownValue(parsed as Record<string, unknown>, name)).toBe(scanned);
      }),
      { numRuns: RUNS * 10 },
    );
  });

  it('decodes every token to the same answer and claims with or without the key-claim scan', () => {
    const decoder = createTokenDecoder();
    const pieces = fc.oneof(fc.json(), fc.string(), fc.constantFrom('{"iss":"a"}', '{"iss":"a","iss":1}', '{"i\\u0073s":"b"}'));
    fc.assert(
      fc.property(fc.array(pieces, { minLength: 1, maxLength: 3 }), fc.string({ maxLength: 8 }), (parts, sig) => {
        const head = Buffer.from('{"alg":"HS256"}').toString('base64url');
        const token = `${[head, ...parts.map((p) => Buffer.from(p).toString('base64url'))].join('.')}.${sig}`;
        const full = decodeToken(token);
        const lazy = decoder.decode(token, 'iss');
        if (typeof full === 'number' || typeof lazy === 'number') {
          expect(lazy).toBe(full);
          return;
        }
        expect(lazy.claim('iss')).toBe(full.claim('iss'));
        expect(lazy.claims).toEqual(full.claims);
        expect([lazy.alg, lazy.signingInputLength, lazy.signatureEnd]).toEqual([full.alg, full.signingInputLength, full.signatureEnd]);
      }),
      { numRuns: RUNS },
    );
  });
});
