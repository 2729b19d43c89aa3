// Kong's rules for TLS config: gateway ssl_cert/ssl_cert_key, `certificates` and `snis` entities, SNI names, PEM checks.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { CertificateEntity } from './types.js';
import { FIELDS } from './fields.js';
import { checkFields, checkTimestamps, childPath, createReader, has, isObject, type Obj, type Sink } from './validate-context.js';
import { readId } from './validate-entities.js';
import { sniNameError } from './validate-routing.js';

/** A `-----BEGIN` value is inline PEM; anything else is a file path, read now. */
function pemOrFile(value: string): { pem: string } | { error: string } {
  if (value.trimStart().startsWith('-----BEGIN')) return { pem: value };
  try {
    return { pem: readFileSync(value, 'utf8') };
  } catch (err) {
    return { error: `cannot read '${value}' (${(err as NodeJS.ErrnoException).code ?? 'error'})` };
  }
}

export interface ParsedPair {
  readonly cert: X509Certificate;
  readonly key: KeyObject;
  /** `rsa`, `ec`, `ed25519`, ...: an alternative certificate must differ in this. */
  readonly type: string;
}

/**
 * Parses a certificate and its key, reporting Kong's messages: invalid PEM at its path, a key that does not match at
 * the certificate's path; an expired certificate is a warning. Null when unusable.
 */
export function checkPair(
  sink: Sink,
  certPem: string,
  keyPem: string,
  certPath: string,
  keyPath: string,
  now: number,
  which = 'certificate',
): ParsedPair | null {
  let cert: X509Certificate | null = null;
  let key: KeyObject | null = null;
  try {
    cert = new X509Certificate(certPem);
  } catch (err) {
    sink.error(certPath, `invalid certificate: ${reason(err)}`);
  }
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    sink.error(keyPath, `invalid key: ${reason(err)}`);
  }
  if (cert === null || key === null) return null;
  if (!cert.checkPrivateKey(key)) {
    sink.error(certPath, `${which} does not match key`);
    return null;
  }
  const notAfter = Date.parse(cert.validTo);
  if (Number.isFinite(notAfter) && notAfter < now) {
    sink.warn(certPath, `${which} expired on ${new Date(notAfter).toISOString()} (clients will refuse it)`);
  }
  return { cert, key, type: cert.publicKey.asymmetricKeyType ?? 'unknown' };
}

function reason(err: unknown): string {
  const msg = (err as Error).message ?? String(err);
  return msg.replace(/^error:[0-9A-F]+:/i, '').toLowerCase();
}

/** `gateway.ssl_cert` / `gateway.ssl_cert_key`: a path or PEM, or a list of them, paired by index. */
const NONE = { ssl_cert: null, ssl_cert_key: null } as const;

export function readGatewayCertificates(
  sink: Sink,
  obj: Obj,
  path: string,
  now = Date.now(),
): { ssl_cert: string[] | null; ssl_cert_key: string[] | null } {
  const certs = readPemList(sink, obj, path, 'ssl_cert');
  const keys = readPemList(sink, obj, path, 'ssl_cert_key');
  if (certs === null && keys === null) return NONE;
  if (certs === null || keys === null) {
    const [missing, other] = certs === null ? ['ssl_cert', 'ssl_cert_key'] : ['ssl_cert_key', 'ssl_cert'];
    sink.error(childPath(path, missing), `required when '${other}' is set`);
    return NONE;
  }
  if (certs.length !== keys.length) {
    sink.error(childPath(path, 'ssl_cert_key'), `expected ${certs.length} entries, one per 'ssl_cert' entry (got ${keys.length})`);
    return NONE;
  }
  const types = new Map<string, number>();
  certs.forEach((c, i) => {
    if (c.pem === null || keys[i]!.pem === null) return;
    const pair = checkPair(sink, c.pem, keys[i]!.pem!, c.path, keys[i]!.path, now);
    if (pair === null) return;
    const previous = types.get(pair.type);
    if (previous !== undefined)
      sink.error(c.path, `same key type (${pair.type}) as entry ${previous}: each entry must be of a different type (e.g. RSA and ECDSA)`);
    types.set(pair.type, i);
  });
  return { ssl_cert: certs.map((c) => c.pem ?? ''), ssl_cert_key: keys.map((k) => k.pem ?? '') };
}

function readPemList(sink: Sink, obj: Obj, path: string, field: string): Array<{ pem: string | null; path: string }> | null {
  if (!has(obj, field) || obj[field] === null) return null;
  const p = childPath(path, field);
  const raw = obj[field];
  const items: Array<{ value: unknown; path: string }> = Array.isArray(raw)
    ? raw.map((value, i) => ({ value, path: childPath(p, i) }))
    : [{ value: raw, path: p }];
  if (items.length === 0) {
    sink.error(p, 'length must be at least 1');
    return null;
  }
  return items.map(({ value, path: ip }) => {
    if (typeof value !== 'string' || value.length === 0) {
      sink.error(ip, 'expected a path or a PEM string');
      return { pem: null, path: ip };
    }
    const read = pemOrFile(value);
    if ('error' in read) {
      sink.error(ip, read.error);
      return { pem: null, path: ip };
    }
    return { pem: read.pem, path: ip };
  });
}

/** A nested SNI of a certificate: a name string (Admin API shorthand) or an `snis` record without `certificate`. */
export interface RawSni {
  name: string;
  id: string | null;
  tags: string[] | null;
  path: string;
  namePath: string;
}

/** Validates one `snis` record (top-level or nested); the certificate reference is read by the caller. */
export function validateSni(sink: Sink, raw: unknown, path: string): RawSni | null {
  if (typeof raw === 'string') return checkedSni(sink, { name: raw, id: null, tags: null, path, namePath: path });
  if (!isObject(raw)) {
    sink.error(path, 'expected a record');
    return null;
  }
  checkFields(sink, raw, path, FIELDS.sni);
  checkTimestamps(sink, raw, path);
  const r = createReader(sink, raw, path);
  const name = r.str('name', '', { nonEmpty: true });
  if (!has(raw, 'name') || raw.name === null) {
    sink.error(childPath(path, 'name'), 'required field missing');
    return null;
  }
  if (name === '') return null;
  return checkedSni(sink, {
    name,
    id: readId(sink, raw, path),
    tags: r.strings('tags', null, { set: true, nullable: true }),
    path,
    namePath: childPath(path, 'name'),
  });
}

function checkedSni(sink: Sink, sni: RawSni): RawSni | null {
  const err = sniNameError(sni.name);
  if (err) {
    sink.error(sni.namePath, err);
    return null;
  }
  return { ...sni, name: sni.name.toLowerCase() };
}

/** Validates a `certificates` record (without its nested `snis`, which the caller walks). */
export function validateCertificate(sink: Sink, raw: unknown, path: string, now = Date.now()): CertificateEntity | null {
  if (!isObject(raw)) {
    sink.error(path, 'expected a record');
    return null;
  }
  checkFields(sink, raw, path, FIELDS.certificate);
  checkTimestamps(sink, raw, path);
  const r = createReader(sink, raw, path);
  const required = (field: string): string => {
    const v = r.str(field, '', { nonEmpty: true });
    if (!has(raw, field) || raw[field] === null) sink.error(childPath(path, field), 'required field missing');
    return v;
  };
  const cert = required('cert');
  const key = required('key');
  const certAlt = r.str('cert_alt', null, { nullable: true, nonEmpty: true });
  const keyAlt = r.str('key_alt', null, { nullable: true, nonEmpty: true });
  if ((certAlt === null) !== (keyAlt === null)) sink.error(path, "all or none of these fields must be set: 'cert_alt', 'key_alt'");
  const main = cert !== '' && key !== '' ? checkPair(sink, cert, key, childPath(path, 'cert'), childPath(path, 'key'), now) : null;
  if (certAlt !== null && keyAlt !== null) {
    const alt = checkPair(sink, certAlt, keyAlt, childPath(path, 'cert_alt'), childPath(path, 'key_alt'), now, 'alternative certificate');
    if (main !== null && alt !== null && main.type === alt.type) {
      sink.error(
        childPath(path, 'cert_alt'),
        'certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), ' +
          'the provided certificates were both of the same type',
      );
    }
  }
  return {
    id: readId(sink, raw, path) ?? '',
    cert,
    key,
    cert_alt: certAlt,
    key_alt: keyAlt,
    tags: r.strings('tags', null, { set: true, nullable: true }),
  };
}
