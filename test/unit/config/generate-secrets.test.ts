// Omitted credential keys and secrets: validation is deterministic and warns; the explicit generation step fills them in.
import { describe, expect, it } from 'vitest';
import { validateConfigDocument, validateDocument } from '../../../src/config/load.js';
import { withGeneratedSecrets } from '../../../src/config/generate-secrets.js';

const DOC = {
  _format_version: '3.0',
  consumers: [{ username: 'c', jwt_secrets: [{ algorithm: 'HS256' }, { key: 'given', secret: 'kept' }] }],
};

describe('credentials without key or secret', () => {
  it('validate to the same result twice, with a warning at each missing field', () => {
    const a = validateDocument(DOC);
    expect(a).toEqual(validateDocument(DOC));
    expect(a.ok && a.config.jwt_secrets[0]).toMatchObject({ key: null, secret: null });
    expect(a.warnings.map((w) => w.path)).toEqual(['$.consumers[0].jwt_secrets[0].key', '$.consumers[0].jwt_secrets[0].secret']);
  });
  it('get a random key and HS secret in the generation step, and an id that does not depend on them', () => {
    const v = validateDocument(DOC);
    if (!v.ok) throw new Error('expected valid');
    let n = 0;
    const generated = withGeneratedSecrets(v.config, () => `generated-${++n}`);
    expect(generated.jwt_secrets[0]).toMatchObject({ key: 'generated-1', secret: 'generated-2', id: v.config.jwt_secrets[0]!.id });
    expect(generated.jwt_secrets[1]).toBe(v.config.jwt_secrets[1]);
    const first = validateConfigDocument(DOC);
    const second = validateConfigDocument(DOC);
    expect(first.ok && second.ok && first.config.jwt_secrets[0]!.key).not.toBe(second.ok && second.config.jwt_secrets[0]!.key);
    expect(first.ok && first.config.jwt_secrets[0]!.id).toBe(second.ok && second.config.jwt_secrets[0]!.id);
  });
  it('leave an asymmetric credential without a secret as it is', () => {
    const v = validateDocument({ _format_version: '3.0', consumers: [{ username: 'c', jwt_secrets: [{ key: 'k', algorithm: 'ES256' }] }] });
    if (!v.ok) throw new Error('expected valid');
    expect(withGeneratedSecrets(v.config, () => 'x').jwt_secrets[0]).toMatchObject({ key: 'k', secret: null });
  });
});
