import { describe, expect, it } from 'vitest';
import { SCAN_ABSENT, SCAN_UNSURE, scanKeyClaim } from '../../../src/auth/claim-scan.js';

const scan = (text: string, name = 'iss'): string | null | undefined => {
  const bytes = Buffer.from(text, 'utf8');
  return scanKeyClaim(bytes, bytes.length, name);
};

describe('claim scanner (a payload proven JSON without building it)', () => {
  it('reads a plain string key claim, the last of duplicates as JSON.parse does', () => {
    expect(scan('{"iss":"alice-key","exp":1}')).toBe('alice-key');
    expect(scan('{"iss":"a","iss":"b"}')).toBe('b');
    expect(scan(' \t\r\n{ "sub" : "1" , "iss" : "" }\n')).toBe('');
    expect(scan('{"kid":"k1"}', 'kid')).toBe('k1');
  });

  it('hands back the previous value itself when the bytes spell it, a new string otherwise', () => {
    const previous = ['alice', 'key'].join('-');
    const bytes = Buffer.from('{"iss":"alice-key"}');
    expect(scanKeyClaim(bytes, bytes.length, 'iss', previous)).toBe(previous);
    const other = Buffer.from('{"iss":"alice-kez"}');
    expect(scanKeyClaim(other, other.length, 'iss', previous)).toBe('alice-kez');
    const empty = Buffer.from('{"iss":""}');
    expect(scanKeyClaim(empty, empty.length, 'iss', previous)).toBe('');
  });

  it('vouches for an object without the claim', () => {
    expect(scan('{}')).toBe(SCAN_ABSENT);
    expect(scan('{"sub":"1","n":[1,-0.5,2e10,1E-3,true,false,null,{"a":{"b":[]}}],"s":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"}')).toBe(
      SCAN_ABSENT,
    );
    expect(scan('{"iss_":"x","is":"y"}')).toBe(SCAN_ABSENT);
  });

  it('leaves escapes in names or in the claim, a non-string claim and non-ASCII bytes to JSON.parse', () => {
    expect(scan('{"i\\u0073s":"x"}')).toBe(SCAN_UNSURE);
    expect(scan('{"iss":"a\\nb"}')).toBe(SCAN_UNSURE);
    expect(scan('{"iss":5}')).toBe(SCAN_UNSURE);
    expect(scan('{"iss":null}')).toBe(SCAN_UNSURE);
    expect(scan('{"iss":"a","name":"é"}')).toBe(SCAN_UNSURE);
  });

  it('leaves payloads that are not one JSON object to JSON.parse', () => {
    for (const text of [
      '',
      ' ',
      '[]',
      '"iss"',
      'false',
      '{',
      '{"iss":"a"',
      '{"iss":"a",}',
      '{"iss":"a"}x',
      '{"iss":"a"}{}',
      '{"a":01}',
      '{"a":1.}',
      '{"a":.5}',
      '{"a":+1}',
      '{"a":1e}',
      '{"a":-}',
      '{"a":tru}',
      '{"a":"\\x"}',
      '{"a":"\\u12g4"}',
      '{"a":"\t"}',
      "{'a':1}",
      '{a:1}',
      '{"a" 1}',
      '{"a":1 "b":2}',
      '{"a":[1,]}',
      '{"a":[,1]}',
      '\uFEFF{}',
      `{"a":${'['.repeat(40)}${']'.repeat(40)}}`,
    ])
      expect(scan(text), text).toBe(SCAN_UNSURE);
  });
});
