// Mints a signed JWT for one credential of a config: the `portcullis token` subcommand's engine.
import { createHmac, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { JwtSecretEntity, ValidatedConfig } from '../config/types.js';
import { parsePublicKey } from '../config/validate-keys.js';
import { AuthStatus } from '../auth/auth-status.js';
import { verifyAsymmetric } from '../crypto/asymmetric.js';
import { JWS_DIGEST, jwsKeyInput } from '../crypto/jws-algorithms.js';
import { ERROR_CODES, PortcullisError } from '../portcullis-error.js';

export interface MintOptions {
  /** The credential's `key`; it becomes the value of the key claim. */
  credentialKey: string;
  /** The claim that carries the key (`iss` unless the route's plugin says otherwise). */
  keyClaimName?: string;
  /** Seconds from now until `exp`; 0 omits `exp`. */
  expiresIn?: number;
  /** Extra claims, merged over the defaults. */
  claims?: Record<string, unknown>;
  /** PEM private key for the asymmetric algorithms. */
  privateKeyPem?: string;
  /** HMAC with the base64url-decoded secret, for routes whose plugin sets `secret_is_base64`. */
  secretIsBase64?: boolean;
  /** Unix seconds; injectable for tests. */
  now?: number;
}

export class MintError extends PortcullisError {
  constructor(message: string) {
    super(ERROR_CODES.mintToken, message);
  }
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function findCredential(config: ValidatedConfig, key: string): JwtSecretEntity {
  const credential = config.jwt_secrets.find((c) => c.key === key);
  if (!credential) {
    const known = config.jwt_secrets.map((c) => c.key).join(', ') || '(none)';
    throw new MintError(`no jwt credential with key '${key}' in the config (keys: ${known})`);
  }
  return credential;
}

/** Returns the compact JWT for the credential, signed with its secret or the given private key. */
export function mintToken(config: ValidatedConfig, options: MintOptions): string {
  const credential = findCredential(config, options.credentialKey);
  const algorithm = credential.algorithm;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const expiresIn = options.expiresIn ?? 3600;
  const payload: Record<string, unknown> = { [options.keyClaimName ?? 'iss']: credential.key, iat: now };
  if (expiresIn > 0) payload.exp = now + expiresIn;
  Object.assign(payload, options.claims);

  const input = `${base64url(JSON.stringify({ alg: algorithm, typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}`;
  let signature: Buffer;
  if (algorithm.startsWith('HS')) {
    if (credential.secret === null) throw new MintError(`credential '${credential.key}' has no secret`);
    const secret = options.secretIsBase64 ? Buffer.from(credential.secret, 'base64url') : credential.secret;
    signature = createHmac(JWS_DIGEST[algorithm]!, secret).update(input).digest();
  } else {
    if (!options.privateKeyPem) {
      throw new MintError(`credential '${credential.key}' uses ${algorithm}: pass the private key with --private-key FILE`);
    }
    let key: KeyObject;
    try {
      key = createPrivateKey(options.privateKeyPem);
    } catch (error) {
      throw new MintError(`the private key does not parse: ${(error as Error).message}`);
    }
    try {
      signature = sign(JWS_DIGEST[algorithm], Buffer.from(input), jwsKeyInput(algorithm, key));
    } catch (error) {
      throw new MintError(`the private key cannot sign ${algorithm}: ${(error as Error).message}`);
    }
    const publicKey = credential.rsa_public_key === null ? null : parsePublicKey(credential.rsa_public_key);
    if (publicKey !== null && verifyAsymmetric(algorithm, publicKey, input, signature) !== AuthStatus.ok) {
      throw new MintError(`the private key does not match credential '${credential.key}' public key`);
    }
  }
  return `${input}.${base64url(signature)}`;
}
