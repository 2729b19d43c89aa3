import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  cookieValue,
  requestCookie,
  createTokenExtractor,
  MAX_QUERY_ARGS,
  MULTIPLE_TOKENS,
  NO_TOKEN,
  UNRECOGNIZABLE_TOKEN,
  unescapeQueryValue,
} from '../../../src/auth/token-extractor.js';
import { pluginConfig, request } from './helpers.js';

const defaults = createTokenExtractor(pluginConfig());
const T = 'aaa.bbb.ccc';
const U = 'xxx.yyy.zzz';

describe('token extractor: Authorization header', () => {
  it('takes the token after "Bearer "', () => {
    expect(defaults.extract(request({ headers: { authorization: `Bearer ${T}` } }))).toBe(T);
  });
  it('accepts a lower-case "bearer" but not "BEARER" or "BeArEr"', () => {
    expect(defaults.extract(request({ headers: { authorization: `bearer ${T}` } }))).toBe(T);
    expect(defaults.extract(request({ headers: { authorization: `BEARER ${T}` } }))).toBe(NO_TOKEN);
    expect(defaults.extract(request({ headers: { authorization: `BeArEr ${T}` } }))).toBe(NO_TOKEN);
  });
  it('finds no token in a bare JWT or a Basic header', () => {
    expect(defaults.extract(request({ headers: { authorization: T } }))).toBe(NO_TOKEN);
    expect(defaults.extract(request({ headers: { authorization: 'Basic YWxhZGRpbjpvcGVu' } }))).toBe(NO_TOKEN);
  });
  it('matches "Bearer" anywhere in the value, as Kong\'s unanchored pattern does', () => {
    expect(bearerToken(`Basic abc, Bearer ${T}`)).toBe(T);
    expect(bearerToken('xBearer y')).toBe('y');
    expect(bearerToken('Token abc, Bearer xyz')).toBe('xyz');
  });
  it('captures greedily to the end of the value and skips extra whitespace', () => {
    expect(bearerToken('Bearer a b')).toBe('a b');
    expect(bearerToken('Bearer \t  tok')).toBe('tok');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer ')).toBeUndefined();
  });
  it('ignores trailing spaces and tabs, which nginx strips from header values', () => {
    expect(bearerToken(`Bearer ${T} \t `)).toBe(T);
    expect(bearerToken('Bearer    ')).toBeUndefined();
  });
  it('does not treat non-ASCII whitespace as a separator', () => {
    expect(bearerToken('Bearer\u00a0tok')).toBeUndefined();
  });
  it('reads configured header names case-insensitively and ignores Authorization when not configured', () => {
    const ex = createTokenExtractor(pluginConfig({ header_names: ['CustomAuthorization'] }));
    expect(ex.extract(request({ headers: { customauthorization: `Bearer ${T}` } }))).toBe(T);
    expect(ex.extract(request({ headers: { authorization: `Bearer ${T}` } }))).toBe(NO_TOKEN);
  });
});

describe('token extractor: query', () => {
  it('reads the jwt parameter', () => {
    expect(defaults.extract(request({ query: `jwt=${T}` }))).toBe(T);
    expect(defaults.extract(request({ query: `a=1&jwt=${T}&b=2` }))).toBe(T);
  });
  it('matches parameter names exactly (case-sensitive)', () => {
    expect(defaults.extract(request({ query: `JWT=${T}` }))).toBe(NO_TOKEN);
    expect(defaults.extract(request({ query: `xjwt=${T}` }))).toBe(NO_TOKEN);
  });
  it('ignores an empty value and reports a bare ?jwt as unrecognizable', () => {
    expect(defaults.extract(request({ query: 'jwt=' }))).toBe(NO_TOKEN);
    expect(defaults.extract(request({ query: 'jwt' }))).toBe(UNRECOGNIZABLE_TOKEN);
    expect(defaults.extract(request({ query: 'jwt=', headers: { authorization: `Bearer ${T}` } }))).toBe(T);
  });
  it('counts a bare ?jwt next to a real token as two tokens', () => {
    expect(defaults.extract(request({ query: `jwt&jwt=${T}` }))).toBe(MULTIPLE_TOKENS);
    expect(defaults.extract(request({ query: 'jwt', headers: { authorization: `Bearer ${T}` } }))).toBe(MULTIPLE_TOKENS);
  });
  it('uses every repeated value: equal values count once, different ones are multiple', () => {
    expect(defaults.extract(request({ query: `jwt=${T}&jwt=${T}` }))).toBe(T);
    expect(defaults.extract(request({ query: `jwt=${T}&jwt=${U}` }))).toBe(MULTIPLE_TOKENS);
  });
  it('URL-decodes names and values, with + as a space', () => {
    expect(defaults.extract(request({ query: `j%77t=${T}` }))).toBe(T);
    expect(defaults.extract(request({ query: 'jwt=a%2Eb+c' }))).toBe('a.b c');
    expect(unescapeQueryValue('%zz%4')).toBe('%zz%4');
  });
  it('looks in every configured parameter name', () => {
    const ex = createTokenExtractor(pluginConfig({ uri_param_names: ['token', 'jwt'] }));
    expect(ex.extract(request({ query: `token=${T}` }))).toBe(T);
    expect(ex.extract(request({ query: `token=${T}&jwt=${U}` }))).toBe(MULTIPLE_TOKENS);
  });
  it('turns the query lookup off with an empty uri_param_names', () => {
    const ex = createTokenExtractor(pluginConfig({ uri_param_names: [] }));
    expect(ex.extract(request({ query: `jwt=${T}` }))).toBe(NO_TOKEN);
  });
  it(`sees only the first ${MAX_QUERY_ARGS} arguments, like OpenResty`, () => {
    const filler = Array.from({ length: MAX_QUERY_ARGS }, (_, i) => `a${i}=1`).join('&');
    expect(defaults.extract(request({ query: `${filler}&jwt=${T}` }))).toBe(NO_TOKEN);
  });
});

describe('token extractor: cookies', () => {
  const ex = createTokenExtractor(pluginConfig({ cookie_names: ['silly', 'crumble'] }));
  it('reads a configured cookie, stopping at ";"', () => {
    expect(ex.extract(request({ headers: { cookie: `crumble=${T}; path=/;domain=.jwt9.test` } }))).toBe(T);
    expect(ex.extract(request({ headers: { cookie: `other=1; silly=${T}` } }))).toBe(T);
  });
  it('matches the cookie name case-insensitively and does not URL-decode', () => {
    expect(ex.extract(request({ headers: { cookie: `SILLY=${T}` } }))).toBe(T);
    expect(cookieValue('silly=a%2Eb', 'silly')).toBe('a%2Eb');
  });
  it('takes the first occurrence and ignores empty values', () => {
    expect(cookieValue(`silly=${T}; silly=${U}`, 'silly')).toBe(T);
    expect(ex.extract(request({ headers: { cookie: 'silly=' } }))).toBe(NO_TOKEN);
  });
  it('does not match a cookie whose name only starts with the configured name', () => {
    expect(cookieValue(`sillyx=${T}`, 'silly')).toBeUndefined();
  });
  it('reports different tokens in two cookies as multiple', () => {
    expect(ex.extract(request({ headers: { cookie: `silly=${T}; crumble=${U}` } }))).toBe(MULTIPLE_TOKENS);
  });
  it("separates cookies by ';' or ',' and the spaces after it, and keeps a value's trailing spaces and commas", () => {
    expect(cookieValue(`a=1, silly=${T}`, 'silly')).toBe(T);
    expect(cookieValue(`silly = ${T} ; a=1`, 'silly')).toBe(`${T} `);
    expect(cookieValue(`silly=${T},x; a=1`, 'silly')).toBe(`${T},x`);
    // nginx skips only spaces after a separator, and steps over the character after a name not followed by '='.
    expect(cookieValue(`a=1;\tsilly=${T}`, 'silly')).toBeUndefined();
    expect(cookieValue(`silly;silly=${T}`, 'silly')).toBeUndefined();
    expect(cookieValue(`silly;;silly=${T}`, 'silly')).toBe(T);
  });
  it('folds only ASCII letters of cookie names, as nginx does', () => {
    expect(cookieValue(`SÉSSION=${T}`, 'sÉssion')).toBe(T);
    expect(cookieValue(`séssion=${T}`, 'sÉssion')).toBeUndefined();
    const accented = createTokenExtractor(pluginConfig({ cookie_names: ['SÉssion'] }));
    expect(accented.extract(request({ headers: { cookie: `sÉssion=${T}` } }))).toBe(T);
    expect(accented.extract(request({ headers: { cookie: `séssion=${T}` } }))).toBe(NO_TOKEN);
  });
  it('reads every Cookie header in order, the first match counting even when empty', () => {
    const cookies = (...values: string[]) =>
      requestCookie(
        values.flatMap((v) => ['cookie', v]),
        'silly',
      );
    expect(cookies('theme=dark', `silly=${T}`)).toBe(T);
    expect(cookies(`silly=${T}`, `silly=${U}`)).toBe(T);
    expect(cookies('silly=', `silly=${T}`)).toBe('');
    expect(cookies('theme=dark')).toBeUndefined();
    const twoHeaders = { method: 'GET', query: '', header: () => undefined, headers: ['cookie', `silly=${T}`, 'cookie', `crumble=${U}`] };
    expect(ex.extract(twoHeaders)).toBe(MULTIPLE_TOKENS);
  });
  it('ignores cookies when none are configured', () => {
    expect(defaults.extract(request({ headers: { cookie: `jwt=${T}` } }))).toBe(NO_TOKEN);
  });
});

describe('token extractor: the distinct set across sources', () => {
  it('counts the same token in the query and the header once', () => {
    expect(defaults.extract(request({ query: `jwt=${T}`, headers: { authorization: `Bearer ${T}` } }))).toBe(T);
  });
  it('refuses different tokens in the query and the header', () => {
    expect(defaults.extract(request({ query: `jwt=${T}`, headers: { authorization: 'Bearer invalid.jwt.token' } }))).toBe(MULTIPLE_TOKENS);
  });
  it('returns NO_TOKEN when nothing is present', () => {
    expect(defaults.extract(request())).toBe(NO_TOKEN);
  });
});
