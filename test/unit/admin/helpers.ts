// Test helpers for the Admin API: a pure in-memory admin (state + router) driven like an HTTP client.
import { readFileSync } from 'node:fs';
import { parseUrlencoded, type ParsedBody } from '../../../src/admin/body-parser.js';
import { handleAdminRequest } from '../../../src/admin/admin-router.js';
import { stateFromDocument, type AdminState } from '../../../src/admin/entities/admin-state.js';

const keys = JSON.parse(readFileSync(new URL('../../fixtures/auth/keys.json', import.meta.url), 'utf8')) as Record<
  string,
  { publicPem: string; privatePem: string }
>;
export const RSA_PUBLIC = keys['rsa2048-a']!.publicPem;
export const RSA_PRIVATE = keys['rsa2048-a']!.privatePem;

export type Body = ParsedBody | undefined;

export const json = (value: unknown): ParsedBody => ({ type: 'json', value });
export function form(text: string): ParsedBody {
  return { type: 'form', pairs: parseUrlencoded(text) };
}

export interface TestAdmin {
  readonly state: AdminState;
  clock: number;
  call(method: string, url: string, body?: Body): { status: number; body: any };
}

/** Starts from `doc`; writes are adopted immediately (as the gateway does after persisting). */
export function createTestAdmin(doc: Record<string, unknown>): TestAdmin {
  const r = stateFromDocument(doc);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('\n'));
  let state = r.state;
  const admin: TestAdmin = {
    get state() {
      return state;
    },
    clock: 1_700_000_000,
    call(method, url, body) {
      const [path, query = ''] = url.split('?', 2) as [string, string?];
      const res = handleAdminRequest(
        state,
        { method, path, query: new URLSearchParams(query), body: body ?? null },
        { now: () => admin.clock },
      );
      if (res.next) state = res.next;
      // Round-trip through JSON as a client would see it.
      return { status: res.status, body: res.body === null ? null : JSON.parse(JSON.stringify(res.body)) };
    },
  };
  return admin;
}

/** Kong's spec fixture: consumers bob and alice, nothing else. */
export function bobAndAlice(): Record<string, unknown> {
  return { _format_version: '3.0', consumers: [{ username: 'bob' }, { username: 'alice' }] };
}
