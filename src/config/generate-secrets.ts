// The explicit step after validation that gives a credential the key (and HS* secret) its file omits, at random as Kong does.
import { randomAlphanumeric32 } from './ids.js';
import type { JwtSecretEntity, ValidatedConfig, ValidatedDocument, ValidatedJwtSecret } from './types.js';

function complete(s: ValidatedJwtSecret, random: () => string): JwtSecretEntity {
  const needsSecret = s.secret === null && s.algorithm.startsWith('HS');
  if (s.key !== null && !needsSecret) return s as JwtSecretEntity;
  return { ...s, key: s.key ?? random(), secret: needsSecret ? random() : s.secret };
}

/**
 * The document's credentials with every missing key and HS* secret generated (validation has already warned about
 * each, at its path). Different on every call by design: such a credential changes on every load.
 */
export function withGeneratedSecrets(doc: ValidatedDocument, random: () => string = randomAlphanumeric32): ValidatedConfig {
  return { ...doc, jwt_secrets: doc.jwt_secrets.map((s) => complete(s, random)) };
}
