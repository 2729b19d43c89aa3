import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FIELDS } from '../../../src/config/fields.js';

const schema = JSON.parse(readFileSync(new URL('../../../schema/portcullis.schema.json', import.meta.url), 'utf8'));

describe('shipped JSON Schema', () => {
  it('is draft 2020-12 and requires _format_version', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['_format_version']);
  });
  it('lists exactly the fields the validator accepts, for every object kind', () => {
    for (const [kind, fields] of Object.entries(FIELDS)) {
      const def = kind === 'root' ? schema : schema.$defs[kind];
      expect(def, kind).toBeDefined();
      expect(Object.keys(def.properties).sort(), kind).toEqual([...fields, '_comment', '_ignore'].sort());
      expect(def.additionalProperties, kind).toBe(false);
    }
  });
  it('lists every jwt algorithm the validator accepts', async () => {
    const { JWT_ALGORITHMS } = await import('../../../src/config/types.js');
    expect(schema.$defs.jwt_secret.properties.algorithm.enum).toEqual([...JWT_ALGORITHMS]);
  });
});
