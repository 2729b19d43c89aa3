// Attack class: hostile JSON in header and payload — duplicate keys, prototype names, odd numbers, claim types, depth, size, non-ASCII.
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import { MAX_TOKEN_LENGTH } from '../../../src/auth/token-decoder.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { ALICE_ID, BOB_ID, b64url, bearer, buildConfig, DEFAULT_CONSUMERS, makeToken, NOW, plugin, request } from './helpers.js';

const hmac = createHmacVerifier();
const H = '{"typ":"JWT","alg":"HS256"}';
/** Signs raw header/payload JSON text (duplicate keys survive) with alice's secret unless told otherwise. */
const raw = (header: string, payload: string, secret = 'alice-secret') => makeToken(header, payload, secret, 'HS256');

function sync(o: AuthOutcome): AuthDecision {
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return o;
}
function answer(d: AuthDecision): string {
  if (d.kind !== 'deny') return d.kind === 'allow' ? `allow ${d.consumer.entity.username}` : d.kind;
  const body = JSON.parse(d.body) as Record<string, unknown>;
  return `${d.status} ${typeof body.message === 'string' ? body.message : d.body}`;
}
function run(token: string, overrides: Parameters<typeof plugin>[0] = {}, config = buildConfig()): string {
  const a = createAuthenticator(config, { now: () => NOW, hmac });
  return answer(sync(a.authenticate(plugin(overrides), bearer(token))));
}
const EXP = { claims_to_verify: ['exp' as const] };

describe("duplicate JSON keys: the last one wins, as in JSON.parse and Kong's cjson", () => {
  it('takes the last alg in the header', () => {
    expect(run(raw('{"alg":"none","alg":"HS256"}', '{"iss":"alice-key"}'))).toBe('allow alice');
    expect(run(raw('{"alg":"HS256","alg":"none"}', '{"iss":"alice-key"}'))).toBe('401 Bad token; invalid alg');
    expect(run(raw('{"alg":"HS256","alg":"RS256"}', '{"iss":"alice-key"}'))).toBe('401 Invalid algorithm');
  });
  it("takes the last iss, so the signature must be that credential's", () => {
    expect(run(raw(H, '{"iss":"bob-key","iss":"alice-key"}'))).toBe('allow alice');
    expect(run(raw(H, '{"iss":"bob-key","iss":"alice-key"}', 'bob-secret'))).toBe('401 Invalid signature');
    expect(run(raw(H, '{"iss":"alice-key","iss":""}'))).toBe("401 Invalid 'iss' in claims");
  });
  it('takes the last exp, both on a miss and on a cache hit', () => {
    const late = raw(H, `{"iss":"alice-key","exp":1,"exp":${NOW + 60}}`);
    const early = raw(H, `{"iss":"alice-key","exp":${NOW + 60},"exp":1}`);
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin(EXP);
    for (let i = 0; i < 2; i++) {
      expect(answer(sync(a.authenticate(p, bearer(late))))).toBe('allow alice');
      expect(answer(sync(a.authenticate(p, bearer(early))))).toBe(`401 {"exp":"token expired"}`);
    }
  });
  it('keeps a duplicate kid in the header from selecting another credential than its last value', () => {
    const t = raw('{"alg":"HS256","kid":"alice-key","kid":"bob-key"}', '{}', 'alice-secret');
    expect(run(t, { key_claim_name: 'kid' })).toBe('401 Invalid signature');
    expect(run(raw('{"alg":"HS256","kid":"bob-key","kid":"alice-key"}', '{}'), { key_claim_name: 'kid' })).toBe('allow alice');
  });
});

describe('prototype names as claim names and key-claim values', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'])(
    'finds no credential for iss "%s"',
    (name) => {
      expect(run(raw(H, JSON.stringify({ iss: name })))).toBe("401 No credentials found for given 'iss'");
      expect(run(raw(`{"alg":"HS256","kid":${JSON.stringify(name)}}`, '{}'), { key_claim_name: 'kid' })).toBe(
        "401 No credentials found for given 'kid'",
      );
    },
  );
  it('does not read iss, alg or exp through a "__proto__" member', () => {
    expect(run(raw(H, '{"__proto__":{"iss":"alice-key"}}'))).toBe("401 No mandatory 'iss' in claims");
    expect(run(raw('{"__proto__":{"alg":"HS256"}}', '{"iss":"alice-key"}'))).toBe('401 Bad token; invalid alg');
    expect(run(raw(H, `{"iss":"alice-key","__proto__":{"exp":${NOW + 60}}}`), EXP)).toBe('401 {"exp":"must be a number"}');
  });
  it.each(['constructor', 'toString', '__proto__'])('reports a missing key claim named "%s" as missing', (name) => {
    expect(run(raw(H, '{"iss":"alice-key"}'), { key_claim_name: name })).toBe(`401 No mandatory '${name}' in claims`);
  });
  it('reads a key claim literally named "__proto__" as an ordinary member, as Lua does', () => {
    expect(run(raw(H, '{"__proto__":"alice-key"}'), { key_claim_name: '__proto__' })).toBe('allow alice');
  });
  it('refuses an object key claim instead of looking it up (Kong: 500)', () => {
    expect(run(raw(H, '{"iss":{"key":"alice-key"}}'))).toBe("401 Invalid 'iss' in claims");
    expect(run(raw(H, '{"iss":["alice-key"]}'))).toBe("401 Invalid 'iss' in claims");
    expect(run(raw(H, '{"iss":null}'))).toBe("401 Invalid 'iss' in claims");
    expect(run(raw(H, '{"iss":true}'))).toBe("401 Invalid 'iss' in claims");
  });
});

describe('numbers and claim types', () => {
  const p = (exp: string) => raw(H, `{"iss":"alice-key","exp":${exp}}`);
  it.each([
    ['"9999999999"', '401 {"exp":"must be a number"}'],
    ['[9999999999]', '401 {"exp":"must be a number"}'],
    ['{"v":9999999999}', '401 {"exp":"must be a number"}'],
    ['true', '401 {"exp":"must be a number"}'],
    ['null', '401 {"exp":"must be a number"}'],
    ['-0', '401 {"exp":"token expired"}'],
    ['-1e400', '401 {"exp":"token expired"}'],
    [`${NOW}`, '401 {"exp":"token expired"}'],
    [`${NOW}.000001`, 'allow alice'],
    [`${NOW + 1}e0`, 'allow alice'],
    ['1e400', 'allow alice'],
    ['1.7976931348623157e308', 'allow alice'],
  ])('exp %s → %s', (exp, want) => {
    expect(run(p(exp), EXP)).toBe(want);
  });
  it('never lets an infinite or huge exp pass maximum_expiration', () => {
    const m = { claims_to_verify: ['exp' as const], maximum_expiration: 300 };
    expect(run(p('1e400'), m)).toBe('401 {"exp":"exceeds maximum allowed expiration"}');
    expect(run(p('1e308'), m)).toBe('401 {"exp":"exceeds maximum allowed expiration"}');
    expect(run(p(`${NOW + 300}`), m)).toBe('allow alice');
  });
  it('treats nbf the same way (1e400 is never valid, -1e400 always)', () => {
    const n = { claims_to_verify: ['nbf' as const] };
    expect(run(raw(H, '{"iss":"alice-key","nbf":1e400}'), n)).toBe('401 {"nbf":"token not valid yet"}');
    expect(run(raw(H, '{"iss":"alice-key","nbf":-1e400}'), n)).toBe('allow alice');
    expect(run(raw(H, '{"iss":"alice-key","nbf":"0"}'), n)).toBe('401 {"nbf":"must be a number"}');
  });
  it('ignores time claims when claims_to_verify is empty, whatever their type', () => {
    expect(run(p('"never"'))).toBe('allow alice');
    expect(run(p('1'))).toBe('allow alice');
  });
});

describe('payload and header shapes', () => {
  it.each([
    ['false', '401 Bad token; invalid claims'],
    ['null', '401 Bad token; invalid claims'],
    ['true', '401 Bad token; invalid claims'],
    ['0', '401 Bad token; invalid claims'],
    ['1e400', '401 Bad token; invalid claims'],
    ['"alice-key"', "401 No mandatory 'iss' in claims"],
    ['["alice-key"]', "401 No mandatory 'iss' in claims"],
    ['{"iss":"alice-key"} trailing', '401 Bad token; invalid JSON'],
    ['\uFEFF{"iss":"alice-key"}', '401 Bad token; invalid JSON'],
    ['{"iss":"alice-key",}', '401 Bad token; invalid JSON'],
    ["{'iss':'alice-key'}", '401 Bad token; invalid JSON'],
    ['', '401 Bad token; invalid JSON'],
  ])('payload %j → %s', (payload, want) => {
    expect(run(raw(H, payload))).toBe(want);
  });
  it.each(['123', 'null', 'true', '"HS256"', '["HS256"]', '{"alg":["HS256"]}', '{"alg":{"HS256":1}}', '{"alg":256}', '{"alg":null}'])(
    'header %s → Bad token; invalid alg (never 500)',
    (header) => {
      expect(run(raw(header, '{"iss":"alice-key"}'))).toBe('401 Bad token; invalid alg');
    },
  );
  it('accepts JSON whitespace, CRLF and escapes inside properly encoded segments', () => {
    expect(run(raw('{\r\n "alg" : "HS\\u0032\\u0035\\u0036"\r\n}', '{\t"iss":\n"alice\\u002dkey" }'))).toBe('allow alice');
  });
  it('looks up a non-ASCII or lone-surrogate iss literally', () => {
    expect(run(raw(H, '{"iss":"alice-key\\u0000"}'))).toBe("401 No credentials found for given 'iss'");
    expect(run(raw(H, '{"iss":"\\ud800"}'))).toBe("401 No credentials found for given 'iss'");
    expect(run(raw(H, '{"iss":"ключ"}'))).toBe("401 No credentials found for given 'iss'");
    const config = buildConfig([
      ...DEFAULT_CONSUMERS,
      { id: '55555555-5555-4555-8555-555555555555', username: 'uni', credentials: [{ key: 'ключ-🔑', secret: 'sécret-🔑' }] },
    ]);
    expect(run(makeToken({ alg: 'HS256' }, { iss: 'ключ-🔑' }, 'sécret-🔑'), {}, config)).toBe('allow uni');
  });
});

describe('depth and size', () => {
  it('answers deep nesting in a claim, in the payload and in the header without throwing', () => {
    const nest = (n: number) => '['.repeat(n) + ']'.repeat(n);
    expect(run(raw(H, `{"iss":"alice-key","deep":${nest(45000)}}`))).toBe('allow alice');
    expect(run(raw(H, nest(45000)))).toBe("401 No mandatory 'iss' in claims");
    expect(run(raw(`{"alg":"HS256","x":${nest(45000)}}`, '{"iss":"alice-key"}'))).toBe('allow alice');
    expect(run(raw(`{"alg":"HS256","x":${'{"a":'.repeat(15000)}1${'}'.repeat(15000)}}`, '{"iss":"alice-key"}'))).toBe('allow alice');
  });
  it('refuses nesting that makes the token longer than the limit as Bad token; invalid JSON', () => {
    const n = 100000;
    expect(run(raw(H, `{"iss":"alice-key","deep":${'['.repeat(n)}${']'.repeat(n)}}`))).toBe('401 Bad token; invalid JSON');
  });
  it('accepts a token of exactly the maximum length and refuses one character more', () => {
    const t0 = raw(H, JSON.stringify({ iss: 'alice-key', pad: 'a'.repeat(97000) }));
    expect(t0.length).toBeLessThan(MAX_TOKEN_LENGTH);
    // nginx ignores what follows the signature's first '=', so '=' fills the token to the exact length.
    const t = `${t0}${'='.repeat(MAX_TOKEN_LENGTH - t0.length)}`;
    expect(t.length).toBe(MAX_TOKEN_LENGTH);
    expect(run(t)).toBe('allow alice');
    expect(run(`${t}=`)).toBe('401 Bad token; invalid JSON');
  });
  it('does not cache tokens over max_token_bytes but still answers them', () => {
    const a = createAuthenticator(buildConfig(DEFAULT_CONSUMERS, { max_token_bytes: 512 }), { now: () => NOW, hmac });
    const p = plugin();
    const big = raw(H, JSON.stringify({ iss: 'alice-key', pad: 'x'.repeat(600) }));
    const small = raw(H, '{"iss":"alice-key"}');
    expect(answer(sync(a.authenticate(p, bearer(big))))).toBe('allow alice');
    expect(answer(sync(a.authenticate(p, bearer(small))))).toBe('allow alice');
    expect(a.stats().cacheEntries).toBe(1);
  });
  it('answers many hostile tokens in every source at once with Multiple tokens provided', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin({ cookie_names: ['jwt', 'session'] });
    const good = raw(H, '{"iss":"alice-key"}');
    const query = Array.from({ length: 150 }, (_, i) => `jwt=${i === 0 ? good : `bad-${i}`}`).join('&');
    expect(answer(sync(a.authenticate(p, request({ query, headers: { authorization: `Bearer ${good}` } }))))).toBe(
      '401 Multiple tokens provided',
    );
    expect(
      answer(sync(a.authenticate(p, request({ headers: { cookie: `jwt=${good}; session=${good}`, authorization: `Bearer ${good}` } })))),
    ).toBe('allow alice');
    expect(
      answer(sync(a.authenticate(p, request({ headers: { cookie: `jwt=${good}; session=x`, authorization: `Bearer ${good}` } })))),
    ).toBe('401 Multiple tokens provided');
  });
});

describe('whitespace around and inside the token', () => {
  const good = raw(H, '{"iss":"alice-key"}');
  it.each([
    ['Bearer  <t>', 'allow alice'],
    ['Bearer\t<t>', 'allow alice'],
    ['Bearer <t> ', 'allow alice'],
    ['Bearer <t>\t', 'allow alice'],
    ['Bearer <t> x', '401 Bad token; invalid signature'],
    ['Bearer <t>\r', '401 Bad token; invalid signature'],
    ['Bearer\r\n<t>', 'allow alice'],
    ['Bearer', '401 Unauthorized'],
    ['Bearer ', '401 Unauthorized'],
  ])('%j → %s', (value, want) => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    expect(answer(sync(a.authenticate(plugin(), request({ headers: { authorization: value.replace('<t>', good) } }))))).toBe(want);
  });
  it('decodes + in a query token to a space, which then fails like Kong', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const [h, p, s] = good.split('.');
    expect(answer(sync(a.authenticate(plugin(), request({ query: `jwt=${h}.${p}.${s}+` }))))).toBe('401 Bad token; invalid signature');
    expect(answer(sync(a.authenticate(plugin(), request({ query: `jwt=${h}.${p}.${s}%3D%3D` }))))).toBe('allow alice');
  });
});

describe('consumer identity', () => {
  it('never mixes the consumers of tokens that differ only in their key claim', () => {
    const a = createAuthenticator(buildConfig(), { now: () => NOW, hmac });
    const p = plugin();
    const ta = raw(H, '{"iss":"alice-key","sub":"x"}');
    const tb = raw(H, '{"iss":"bob-key","sub":"x"}', 'bob-secret');
    for (let i = 0; i < 3; i++) {
      const da = sync(a.authenticate(p, bearer(ta)));
      const db = sync(a.authenticate(p, bearer(tb)));
      expect(da.kind === 'allow' && da.consumer.entity.id).toBe(ALICE_ID);
      expect(db.kind === 'allow' && db.consumer.entity.id).toBe(BOB_ID);
    }
    expect(b64url('x')).toBe('eA');
  });
});
