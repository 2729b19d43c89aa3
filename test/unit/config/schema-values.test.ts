// The shipped JSON Schema against the validator, field by field: every type, enum, range and default it states is what validation does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateDocument } from '../../../src/config/load.js';

type Json = Record<string, any>;
const schema = JSON.parse(readFileSync(new URL('../../../schema/portcullis.schema.json', import.meta.url), 'utf8')) as Json;

/** Where a field of each object kind sits in a minimal document, and how to read its validated value back. */
const PLACES: Record<string, { doc(field: string, value: unknown): Json; path: string; validated(c: Json): Json }> = {
  gateway: { doc: (f, v) => base({ gateway: { [f]: v } }), path: '$.gateway', validated: (c) => c.gateway },
  token_cache: {
    doc: (f, v) => base({ gateway: { token_cache: { [f]: v } } }),
    path: '$.gateway.token_cache',
    validated: (c) => c.gateway.token_cache,
  },
  service: { doc: (f, v) => base({}, { [f]: v }), path: '$.services[0]', validated: (c) => c.services[0] },
  route: { doc: (f, v) => base({}, {}, { [f]: v }), path: '$.services[0].routes[0]', validated: (c) => c.routes[0] },
  jwt_config: {
    doc: (f, v) => base({}, { plugins: [{ name: 'jwt', config: { [f]: v } }] }),
    path: '$.services[0].plugins[0].config',
    validated: (c) => c.plugins[0].config,
  },
};

function base(top: Json, service: Json = {}, route: Json = {}): Json {
  return {
    _format_version: '3.0',
    services: [{ name: 'svc', host: '127.0.0.1', port: 3000, routes: [{ name: 'r1', paths: ['/api'], ...route }], ...service }],
    ...top,
  };
}

/** Errors about the field's own type, enum or range (cross-field rules such as min ≤ max are not this test's business). */
const VALUE_ERROR = /^(value should be between|expected an? |expected one of)/;

function valueErrors(kind: string, field: string, value: unknown, any = false): string[] {
  const place = PLACES[kind]!;
  const v = validateDocument(place.doc(field, value));
  const at = `${place.path}.${field}`;
  return v.ok ? [] : v.errors.filter((e) => e.path === at && (any || VALUE_ERROR.test(e.message))).map((e) => e.message);
}

/** Optional entity fields the validated form leaves out when absent (types.ts says "absent = the default"). */
const ABSENT_MEANS_DEFAULT = new Set(['route.https_redirect_status_code']);

function defaultOf(kind: string, field: string): unknown {
  const v = validateDocument(PLACES[kind]!.doc('_comment', 'defaults'));
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return PLACES[kind]!.validated(v.config as unknown as Json)[field];
}

/** The single-type fields: `{type, minimum, maximum, enum, default}`, as opposed to listener strings and unions. */
function plainFields(kind: string): Array<[string, Json]> {
  return Object.entries(schema.$defs[kind].properties as Json).filter(
    ([f, p]) => !f.startsWith('_') && (p.enum !== undefined || ['integer', 'number', 'boolean'].includes(p.type)),
  ) as Array<[string, Json]>;
}

describe('JSON Schema values match the validator', () => {
  for (const kind of Object.keys(PLACES)) {
    it(`${kind}: every integer range, enum, boolean and default`, () => {
      const fields = plainFields(kind);
      expect(fields.length, kind).toBeGreaterThan(0);
      for (const [field, p] of fields) {
        const at = `${kind}.${field}`;
        if (p.type === 'integer' || p.type === 'number') {
          if (p.minimum !== undefined) {
            expect(valueErrors(kind, field, p.minimum), `${at} minimum`).toEqual([]);
            if (p.minimum > Number.MIN_SAFE_INTEGER) expect(valueErrors(kind, field, p.minimum - 1), `${at} below minimum`).not.toEqual([]);
          }
          if (p.maximum !== undefined) {
            expect(valueErrors(kind, field, p.maximum), `${at} maximum`).toEqual([]);
            if (p.maximum < Number.MAX_SAFE_INTEGER) expect(valueErrors(kind, field, p.maximum + 1), `${at} above maximum`).not.toEqual([]);
          }
          expect(valueErrors(kind, field, 'text'), `${at} type`).not.toEqual([]);
          if (p.type === 'integer' && p.minimum !== undefined)
            expect(valueErrors(kind, field, p.minimum + 0.5), `${at} integer`).not.toEqual([]);
        }
        if (p.type === 'boolean') {
          expect(valueErrors(kind, field, true), at).toEqual([]);
          expect(valueErrors(kind, field, 'yes'), `${at} type`).not.toEqual([]);
        }
        if (p.enum !== undefined) {
          for (const value of p.enum as unknown[]) expect(valueErrors(kind, field, value), `${at} = ${String(value)}`).toEqual([]);
          expect(valueErrors(kind, field, 'not-a-member', true), `${at} not in enum`).not.toEqual([]);
        }
        if (p.default !== undefined && !(ABSENT_MEANS_DEFAULT.has(at) && defaultOf(kind, field) === undefined)) {
          expect(defaultOf(kind, field), `${at} default`).toEqual(p.default);
        }
      }
    });
  }
});
