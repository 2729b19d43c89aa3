import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/config/validate-context.js';
import { validateCertificate } from '../../../src/config/validate-tls.js';
import { createTestCa, type TestCa, type TestCert } from '../../helpers/tls-certs.js';
import { base, errorLines, load, valid } from './helpers.js';

let ca: TestCa;
let rsa: TestCert;
let ec: TestCert;
let other: TestCert;

beforeAll(() => {
  ca = createTestCa();
  rsa = ca.leaf('rsa-leaf', ['a.example.test'], 'rsa');
  ec = ca.leaf('ec-leaf', ['a.example.test'], 'ec');
  other = ca.leaf('other', ['b.example.test'], 'rsa');
});
afterAll(() => ca.cleanup());

describe('gateway ssl_cert and ssl_cert_key', () => {
  it('reads a path or inline PEM, one or a list paired by index', () => {
    const g = valid(base({ gateway: { ssl_cert: [rsa.certFile, ec.cert], ssl_cert_key: [rsa.keyFile, ec.key] } })).gateway;
    expect(g.ssl_cert).toEqual([rsa.cert, ec.cert]);
    expect(g.ssl_cert_key).toEqual([rsa.key, ec.key]);
    expect(valid(base({ gateway: { ssl_cert: rsa.cert, ssl_cert_key: rsa.keyFile } })).gateway.ssl_cert).toEqual([rsa.cert]);
  });
  it('sets them to null when absent', () => {
    expect(valid(base()).gateway).toMatchObject({ ssl_cert: null, ssl_cert_key: null });
  });
  it('reports a bad PEM, a missing file, a key that does not match, and a missing half, each at its path', () => {
    expect(
      errorLines(base({ gateway: { ssl_cert: '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----', ssl_cert_key: rsa.key } })),
    ).toEqual([expect.stringMatching(/^\$\.gateway\.ssl_cert: invalid certificate: /)]);
    expect(errorLines(base({ gateway: { ssl_cert: '/nonexistent/cert.pem', ssl_cert_key: rsa.key } }))).toEqual([
      "$.gateway.ssl_cert: cannot read '/nonexistent/cert.pem' (ENOENT)",
    ]);
    expect(errorLines(base({ gateway: { ssl_cert: [rsa.cert, ec.cert], ssl_cert_key: [rsa.key, other.key] } }))).toEqual([
      '$.gateway.ssl_cert[1]: certificate does not match key',
    ]);
    expect(errorLines(base({ gateway: { ssl_cert: rsa.cert } }))).toEqual(["$.gateway.ssl_cert_key: required when 'ssl_cert' is set"]);
    expect(errorLines(base({ gateway: { ssl_cert: [rsa.cert, other.cert], ssl_cert_key: [rsa.key, other.key] } }))).toEqual([
      '$.gateway.ssl_cert[1]: same key type (rsa) as entry 0: each entry must be of a different type (e.g. RSA and ECDSA)',
    ]);
  });
});

describe('certificates and snis entities', () => {
  it('flattens nested and top-level snis, lower-cased, referencing their certificate by id', () => {
    const id = '9f5c1b0e-8a42-4b55-9f4c-2a1e5b1c0d11';
    const c = valid(
      base({
        certificates: [
          {
            id,
            cert: rsa.cert,
            key: rsa.key,
            cert_alt: ec.cert,
            key_alt: ec.key,
            snis: ['A.example.test', { name: '*.example.test', tags: ['t'] }],
          },
          { cert: other.cert, key: other.key },
        ],
        snis: [{ name: 'example.*', certificate: { id } }],
      }),
    );
    expect(c.certificates).toHaveLength(2);
    expect(c.snis!.map((s) => [s.name, s.certificate])).toEqual([
      ['a.example.test', id],
      ['*.example.test', id],
      ['example.*', id],
    ]);
    expect(c.snis![1]!.tags).toEqual(['t']);
  });
  it('keeps a file without TLS entities exactly as before', () => {
    const c = valid(base());
    expect(c).not.toHaveProperty('certificates');
    expect(c).not.toHaveProperty('snis');
    expect(c.routes[0]).not.toHaveProperty('snis');
  });
  it('reports Kong-style errors with their JSON paths', () => {
    expect(
      errorLines(
        base({
          certificates: [
            { cert: rsa.cert, key: other.key, snis: ['a.test', 'a.test', '*.*.test', 'x.*.test', 'a.test:443', '10.0.0.1'] },
            { cert: rsa.cert, key: rsa.key, cert_alt: other.cert, key_alt: other.key },
            { cert: rsa.cert, key: rsa.key, cert_alt: ec.cert },
            { key: 'x' },
          ],
          snis: [{ name: 'b.test' }, { name: 'c.test', certificate: '00000000-0000-4000-8000-000000000000' }],
        }),
      ),
    ).toEqual([
      '$.certificates[0].cert: certificate does not match key',
      '$.certificates[0].snis[2]: invalid wildcard: must have at most one wildcard',
      '$.certificates[0].snis[3]: invalid wildcard: must be placed at leftmost or rightmost label',
      '$.certificates[0].snis[4]: must not have a port',
      '$.certificates[0].snis[5]: must not be an IP',
      '$.certificates[1].cert_alt: certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), ' +
        'the provided certificates were both of the same type',
      "$.certificates[2]: all or none of these fields must be set: 'cert_alt', 'key_alt'",
      '$.certificates[3].cert: required field missing',
      '$.snis[0].certificate: required field missing',
      "$.certificates[0].snis[1]: uniqueness violation: 'snis' entity with name set to 'a.test' already declared",
      "$.snis[1].certificate: invalid reference 'certificate: 00000000-0000-4000-8000-000000000000' (no such entry in 'certificates')",
    ]);
  });
  it('warns about an expired certificate (clock injected) without refusing it', () => {
    const sink = createSink();
    const later = Date.now() + 10 * 86_400_000;
    expect(validateCertificate(sink, { cert: rsa.cert, key: rsa.key }, '$.certificates[0]', later)).not.toBeNull();
    expect(sink.errors).toEqual([]);
    expect(sink.warnings.map((w) => `${w.path}: ${w.message.replace(/on \S+/, 'on X')}`)).toEqual([
      '$.certificates[0].cert: certificate expired on X (clients will refuse it)',
    ]);
  });
});

describe('route snis and https_redirect_status_code', () => {
  it('accepts snis as a route matcher on https routes and Kong redirect codes', () => {
    const c = valid({
      _format_version: '3.0',
      routes: [{ name: 'r', protocols: ['https'], snis: ['A.test', '*.b.test'], https_redirect_status_code: 301 }],
    });
    expect(c.routes[0]!.snis).toEqual(['a.test', '*.b.test']);
    expect(c.routes[0]!.https_redirect_status_code).toBe(301);
  });
  it('refuses snis on http-only routes, bad names and other redirect codes', () => {
    expect(
      errorLines({
        _format_version: '3.0',
        routes: [
          { name: 'r', protocols: ['http'], paths: ['/'], snis: ['a.test'] },
          { name: 's', paths: ['/'], snis: ['a..test'], https_redirect_status_code: 303 },
        ],
      }),
    ).toEqual([
      "$.routes[0].snis: 'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
      "$.routes[1].snis[0]: invalid value: 'a..test'",
      '$.routes[1].https_redirect_status_code: expected one of: 426, 301, 302, 307, 308',
    ]);
    expect(load({ _format_version: '3.0', routes: [{ name: 'r', protocols: ['http'], snis: ['a.test'] }] }).ok).toBe(false);
  });
});
