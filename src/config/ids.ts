// Entity ids: deterministic UUIDv5 derivation, UUID syntax check, and Kong-style random keys.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Fixed namespace for every id Portcullis derives; changing it changes every derived id. */
const PORTCULLIS_NAMESPACE = '6f1c3a52-9d4e-4b7a-8c21-5e0f7d93a4b6';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

function formatUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** RFC 9562 UUIDv5: SHA-1 of namespace bytes + name, version and variant bits set. */
const PROJECT_NAMESPACE_BYTES = uuidBytes(PORTCULLIS_NAMESPACE);

export function uuidV5(name: string, namespace: string = PORTCULLIS_NAMESPACE): string {
  const ns = namespace === PORTCULLIS_NAMESPACE ? PROJECT_NAMESPACE_BYTES : uuidBytes(namespace);
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return formatUuid(bytes);
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Kong's generator: base64 of 24 random bytes with `/` and `+` replaced by random letters (32 chars). */
export function randomAlphanumeric32(): string {
  return randomBytes(24)
    .toString('base64')
    .replace(/[+/]/g, () => LETTERS[randomInt(LETTERS.length)]!);
}
