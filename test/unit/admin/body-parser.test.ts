import { describe, expect, it } from 'vitest';
import { formToObject, parseAdminBody } from '../../../src/admin/body-parser.js';
import { KINDS } from '../../../src/admin/entities/kinds.js';

const parse = (type: string | string[], text: string) => parseAdminBody(Array.isArray(type) ? type : [type], Buffer.from(text, 'utf8'));

describe('parseAdminBody', () => {
  it('parses a JSON body', async () => {
    expect(await parse('application/json', '{"a":1}')).toEqual({ ok: true, body: { type: 'json', value: { a: 1 } } });
  });
  it("answers Kong's 400 for unparseable JSON", async () => {
    expect(await parse('application/json; charset=utf-8', '{"a":')).toEqual({
      ok: false,
      result: { status: 400, body: { message: 'Cannot parse JSON body' } },
    });
  });
  it('answers 415 for an unsupported content type', async () => {
    const r = await parse('text/plain', 'x');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.result.status).toBe(415);
  });
  it('answers 400 for two Content-Type headers', async () => {
    const r = await parse(['application/json', 'application/json'], '{}');
    expect(!r.ok && r.result.status).toBe(400);
  });
  it('allows an empty body without a content type', async () => {
    expect(await parseAdminBody([], Buffer.alloc(0))).toEqual({ ok: true, body: null });
  });
  it('decodes urlencoded pairs, + as space and percent escapes as UTF-8', async () => {
    expect(await parse('application/x-www-form-urlencoded', 'a=b+c&k=%C3%A9%0D%0A&flag')).toEqual({
      ok: true,
      body: {
        type: 'form',
        pairs: [
          ['a', 'b c'],
          ['k', 'é\r\n'],
          ['flag', ''],
        ],
      },
    });
  });
});

describe('parseAdminBody with multipart/form-data', () => {
  const invalid = { ok: false, result: { status: 400, body: { message: 'Cannot parse multipart body' } } };
  const part = (name: string, value: string) => ['--XyZ', `Content-Disposition: form-data; name="${name}"`, '', value];

  it('reads fields and file parts as text, in order', async () => {
    const body = [
      ...part('algorithm', 'RS256'),
      '--XyZ',
      'Content-Disposition: form-data; name="rsa_public_key"; filename="public.pem"',
      'Content-Type: application/octet-stream',
      '',
      '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n',
      '--XyZ--',
      '',
    ].join('\r\n');
    expect(await parse('multipart/form-data; boundary=XyZ', body)).toEqual({
      ok: true,
      body: {
        type: 'form',
        pairs: [
          ['algorithm', 'RS256'],
          ['rsa_public_key', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'],
        ],
      },
    });
  });
  it('takes a quoted boundary, repeated names and UTF-8 values', async () => {
    const body = [...part('paths', '/a'), ...part('paths', '/b'), ...part('name', 'café'), '--XyZ--', ''].join('\r\n');
    expect(await parse('multipart/form-data; boundary="XyZ"', body)).toEqual({
      ok: true,
      body: {
        type: 'form',
        pairs: [
          ['paths', '/a'],
          ['paths', '/b'],
          ['name', 'café'],
        ],
      },
    });
  });
  it("answers Kong's 400 when the boundary parameter is missing", async () => {
    expect(await parse('multipart/form-data', [...part('a', 'x'), '--XyZ--', ''].join('\r\n'))).toEqual({
      ok: false,
      result: { status: 400, body: { message: 'Cannot parse multipart body: missing boundary' } },
    });
  });
  it("answers Kong's 400 for a body cut before its closing delimiter", async () => {
    expect(await parse('multipart/form-data; boundary=b', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx')).toEqual(invalid);
  });
  it("answers Kong's 400 for a body that never starts with the boundary", async () => {
    expect(await parse('multipart/form-data; boundary=XyZ', 'name=value')).toEqual(invalid);
  });
  it("answers Kong's 400 for a part without a Content-Disposition name", async () => {
    const body = ['--XyZ', 'Content-Type: text/plain', '', 'x', '--XyZ--', ''].join('\r\n');
    expect(await parse('multipart/form-data; boundary=XyZ', body)).toEqual(invalid);
  });
  it("answers Kong's 400 for a part whose headers never end", async () => {
    const body = ['--XyZ', 'Content-Disposition: form-data; name="a"', 'x', '--XyZ--', ''].join('\r\n');
    expect(await parse('multipart/form-data; boundary=XyZ', body)).toEqual(invalid);
  });
  it("answers Kong's 400 when the boundary in the header is not the one in the body", async () => {
    expect(await parse('multipart/form-data; boundary=other', [...part('a', 'x'), '--XyZ--', ''].join('\r\n'))).toEqual(invalid);
  });
});

describe('formToObject', () => {
  it('nests dotted keys and coerces by the field type', () => {
    const o = formToObject(
      [
        ['name', 'jwt'],
        ['config.claims_to_verify', 'exp'],
        ['config.maximum_expiration', '60'],
        ['config.run_on_preflight', 'false'],
        ['enabled', 'true'],
      ],
      KINDS.plugins.fields,
    );
    expect(o).toEqual({
      name: 'jwt',
      config: { claims_to_verify: ['exp'], maximum_expiration: 60, run_on_preflight: false },
      enabled: true,
    });
  });
  it('makes arrays from repeated keys, key[] and key[n]', () => {
    expect(
      formToObject(
        [
          ['paths[]', '/a'],
          ['paths[]', '/b'],
          ['hosts', 'x'],
          ['hosts', 'y'],
          ['methods[2]', 'POST'],
          ['methods[1]', 'GET'],
        ],
        KINDS.routes.fields,
      ),
    ).toEqual({ paths: ['/a', '/b'], hosts: ['x', 'y'], methods: ['GET', 'POST'] });
  });
  it('reads a foreign key given as service.id and numbers for service ports', () => {
    expect(
      formToObject(
        [
          ['service.id', 'abc'],
          ['strip_path', 'false'],
        ],
        KINDS.routes.fields,
      ),
    ).toEqual({ service: { id: 'abc' }, strip_path: false });
    expect(formToObject([['port', '8080']], KINDS.services.fields)).toEqual({ port: 8080 });
  });
  it('turns header matchers into arrays', () => {
    expect(formToObject([['headers.x-version', 'v1']], KINDS.routes.fields)).toEqual({ headers: { 'x-version': ['v1'] } });
  });
});
