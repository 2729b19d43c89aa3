// Bench credentials and JWTs (HS256 secret, generated RS256 key pair) built with node:crypto only.
import crypto from 'node:crypto';

export const HS_KEY = 'bench-hs256';
export const RS_KEY = 'bench-rs256';

const b64url = (data) => Buffer.from(data).toString('base64url');

/** The credentials every system under test is configured with; the RS256 key pair is new per run. */
export function createCredentials() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    hs: { key: HS_KEY, secret: crypto.randomBytes(32).toString('hex') },
    rs: {
      key: RS_KEY,
      privateKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  };
}

/** Sign one compact JWS. `alg` is HS256 (secret string) or RS256 (private KeyObject). */
export function signJwt(alg, key, payload) {
  const input = `${b64url(JSON.stringify({ alg, typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  const sig = alg === 'HS256' ? crypto.createHmac('sha256', key).update(input).digest() : crypto.sign('sha256', Buffer.from(input), key);
  return `${input}.${b64url(sig)}`;
}

/**
 * `count` distinct tokens for one credential: each has its own `sub` and `jti`, `iss` names
 * the credential key (Kong's key_claim_name), exp = now + 1 h.
 */
export function makeTokens({ alg, creds, count, nowSeconds = Math.floor(Date.now() / 1000), tag = 't', claims = {} }) {
  const c = alg === 'HS256' ? creds.hs : creds.rs;
  const key = alg === 'HS256' ? c.secret : c.privateKey;
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = signJwt(alg, key, {
      iss: c.key,
      sub: `user-${tag}-${i}`,
      jti: `${tag}-${i}-${crypto.randomBytes(6).toString('hex')}`,
      iat: nowSeconds,
      exp: nowSeconds + 3600,
      ...claims,
    });
  }
  return out;
}

/** Same shape as makeTokens but each signature is corrupted (one byte of the decoded signature flipped). */
export function makeInvalidTokens(opts) {
  return makeTokens(opts).map((t) => {
    const dot = t.lastIndexOf('.');
    const sig = Buffer.from(t.slice(dot + 1), 'base64url');
    sig[0] ^= 0x01;
    return `${t.slice(0, dot + 1)}${sig.toString('base64url')}`;
  });
}
