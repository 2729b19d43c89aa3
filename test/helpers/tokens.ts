// Test token minting written independently of src/: base64url, raw JWS signatures per alg, compact JWTs.
import { KeyObject, constants, createHmac, createPrivateKey, sign as cryptoSign } from 'node:crypto';

export function b64url(input: string | Buffer | object): string {
  if (typeof input === 'string') return Buffer.from(input, 'utf8').toString('base64url');
  if (Buffer.isBuffer(input)) return input.toString('base64url');
  return Buffer.from(JSON.stringify(input), 'utf8').toString('base64url');
}

const DIGEST: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** Raw JWS signature of `input` for `alg` with a secret (HS*) or a private key (PEM or KeyObject). */
export function signature(alg: string, input: string, key: string | Buffer | KeyObject): Buffer {
  const digest = DIGEST[alg.slice(2)] ?? 'sha256';
  if (alg.startsWith('HS')) return createHmac(digest, key).update(input).digest();
  const pk = key instanceof KeyObject ? key : createPrivateKey(key);
  if (alg.startsWith('RS')) return cryptoSign(digest, Buffer.from(input), { key: pk, padding: constants.RSA_PKCS1_PADDING });
  if (alg.startsWith('PS')) {
    return cryptoSign(digest, Buffer.from(input), {
      key: pk,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: Number(alg.slice(2)) / 8,
    });
  }
  if (alg.startsWith('ES')) return cryptoSign(digest, Buffer.from(input), { key: pk, dsaEncoding: 'ieee-p1363' });
  return cryptoSign(null, Buffer.from(input), pk);
}

/** A compact JWT: header/payload objects (or raw JSON text), signed with `signAlg` (default header.alg). */
export function makeToken(header: object | string, payload: object | string, key: string | Buffer | KeyObject, signAlg?: string): string {
  const alg = signAlg ?? (header as { alg: string }).alg;
  const input = `${b64url(header)}.${b64url(payload)}`;
  return `${input}.${signature(alg, input, key).toString('base64url')}`;
}
