import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTlsGeneration } from '../../../src/tls/tls-generation.js';
import { uwsTlsGaps } from '../../../src/tls/uws-plan.js';
import { tlsFingerprint } from '../../../src/tls/tls-material.js';
import type { ValidatedConfig } from '../../../src/config/types.js';
import { createTestCa, type TestCa, type TestCert } from '../../helpers/tls-certs.js';
import { base, valid } from '../config/helpers.js';

let ca: TestCa;
let a: TestCert;
let b: TestCert;
beforeAll(() => {
  ca = createTestCa();
  a = ca.leaf('a', ['a.test']);
  b = ca.leaf('b', ['b.test'], 'ec');
});
afterAll(() => ca.cleanup());

const config = (extra: Record<string, unknown>): ValidatedConfig =>
  valid(base({ gateway: { ssl_cert: a.cert, ssl_cert_key: a.key }, ...extra }));

describe('what uWS cannot serve as Kong does', () => {
  it('nothing for exact names and non-overlapping wildcards', () => {
    const c = config({ certificates: [{ cert: b.cert, key: b.key, snis: ['x.test', '*.y.test', 'z.*'] }] });
    expect(uwsTlsGaps(createTlsGeneration(c))).toEqual([]);
  });
  it('two key types for one name', () => {
    expect(
      uwsTlsGaps(createTlsGeneration(config({ certificates: [{ cert: a.cert, key: a.key, cert_alt: b.cert, key_alt: b.key }] }))),
    ).toEqual([expect.stringContaining('two key types')]);
  });
  it('a leading and a trailing wildcard that match one name with different certificates', () => {
    const c = config({
      certificates: [
        { cert: a.cert, key: a.key, snis: ['*.example.test'] },
        { cert: b.cert, key: b.key, snis: ['www.example.*'] },
      ],
    });
    expect(uwsTlsGaps(createTlsGeneration(c))).toEqual([expect.stringContaining("'*.example.test' and 'www.example.*'")]);
  });
});

describe('tlsFingerprint', () => {
  it('changes with certificates and route snis, not with other entities', () => {
    const one = config({});
    const other = valid(base({ gateway: { ssl_cert: a.cert, ssl_cert_key: a.key }, consumers: [{ username: 'x' }] }));
    expect(tlsFingerprint(one)).toBe(tlsFingerprint(other));
    expect(tlsFingerprint(config({ certificates: [{ cert: b.cert, key: b.key }] }))).not.toBe(tlsFingerprint(one));
    expect(tlsFingerprint(config({ routes: [{ name: 's', protocols: ['https'], snis: ['q.test'] }] }))).not.toBe(tlsFingerprint(one));
  });
});
