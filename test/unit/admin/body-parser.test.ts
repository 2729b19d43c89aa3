import { describe, expect, it } from 'vitest';
import { formToObject, parseAdminBody, parseMultipart } from '../../../src/admin/body-parser.js';
import { KINDS } from '../../../src/admin/entities/kinds.js';

const parse = (type: string | string[], text: string) => parseAdminBody(Array.isArray(type) ? type : [type], Buffer.from(text, 'utf8'));

describe('parseAdminBody', () => {
  it('parses a JSON body', () => {
    expect(parse('application/json', '{"a":1}')).toEqual({ ok: true, body: { type: 'json', value: { a: 1 } } });
  });
  it('answers Kong\'s 400 for unparseable JSON', () => {
    expect(parse('application/json; charset=utf-8', '{"a":')).toEqual({ ok: false, result: { status: 400, body: { message: 'Cannot parse JSON body' } } });
  });
  it('answers 415 for an unsupported content type', () => {
    const r = parse('text/plain', 'x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.result.status).toBe(415);
  });
  it('answers 400 for two Content-Type headers', () => {
    const r = parse(['application/json', 'application/json'], '{}');
    expect(!r.ok && r.result.status).toBe(400);
  });
  it('allows an empty body without a content type', () => {
    expect(parseAdminBody([], Buffer.alloc(0))).toEqual({ ok: true, body: null });
  });
  it('decodes urlencoded pairs, + as space and percent escapes as UTF-8', () => {
    expect(parse('application/x-www-form-urlencoded', 'a=b+c&k=%C3%A9%0D%0A&flag')).toEqual({
      ok: true, body: { type: 'form', pairs: [['a', 'b c'], ['k', 'é\r\n'], ['flag', '']] },
    });
  });
  it('reads multipart fields and file parts as text', () => {
    const body = [
      '--XyZ', 'Content-Disposition: form-data; name="algorithm"', '', 'RS256',
      '--XyZ', 'Content-Disposition: form-data; name="rsa_public_key"; filename="public.pem"', 'Content-Type: application/octet-stream', '',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      '--XyZ--', '',
    ].join('\r\n');
    const r = parse('multipart/form-data; boundary=XyZ', body);
    expect(r).toEqual({
      ok: true,
      body: { type: 'form', pairs: [['algorithm', 'RS256'], ['rsa_public_key', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n']] },
    });
  });
  it('rejects a truncated multipart body', () => {
    expect(parseMultipart(Buffer.from('--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx'), 'b')).toBeNull();
  });
});

describe('formToObject', () => {
  it('nests dotted keys and coerces by the field type', () => {
    const o = formToObject([['name', 'jwt'], ['config.claims_to_verify', 'exp'], ['config.maximum_expiration', '60'],
      ['config.run_on_preflight', 'false'], ['enabled', 'true']], KINDS.plugins.fields);
    expect(o).toEqual({ name: 'jwt', config: { claims_to_verify: ['exp'], maximum_expiration: 60, run_on_preflight: false }, enabled: true });
  });
  it('makes arrays from repeated keys, key[] and key[n]', () => {
    expect(formToObject([['paths[]', '/a'], ['paths[]', '/b'], ['hosts', 'x'], ['hosts', 'y'], ['methods[2]', 'POST'], ['methods[1]', 'GET']],
      KINDS.routes.fields)).toEqual({ paths: ['/a', '/b'], hosts: ['x', 'y'], methods: ['GET', 'POST'] });
  });
  it('reads a foreign key given as service.id and numbers for service ports', () => {
    expect(formToObject([['service.id', 'abc'], ['strip_path', 'false']], KINDS.routes.fields)).toEqual({ service: { id: 'abc' }, strip_path: false });
    expect(formToObject([['port', '8080']], KINDS.services.fields)).toEqual({ port: 8080 });
  });
  it('turns header matchers into arrays', () => {
    expect(formToObject([['headers.x-version', 'v1']], KINDS.routes.fields)).toEqual({ headers: { 'x-version': ['v1'] } });
  });
});
