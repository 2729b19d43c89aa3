import { describe, expect, it, beforeEach } from 'vitest';
import { randomUUID } from 'node:crypto';
import { bobAndAlice, createTestAdmin, form, json, RSA_PUBLIC, type TestAdmin } from './helpers.js';

// Kong's spec/03-plugins/16-jwt/02-api_spec.lua (kong-reference §9.2, cases 12–32), against the pure router.
const ALNUM32 = /^[A-Za-z0-9]{32}$/;
const CONDITIONAL = "failed conditional validation given value of field 'algorithm'";

let admin: TestAdmin;
let bob: { id: string };
let alice: { id: string };
beforeEach(() => {
  admin = createTestAdmin(bobAndAlice());
  bob = admin.call('GET', '/consumers/bob').body;
  alice = admin.call('GET', '/consumers/alice').body;
});

describe('POST /consumers/:consumer/jwt', () => {
  it('creates a credential from an empty JSON body, owned by the consumer in the path (12)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({}));
    expect(res.status).toBe(201);
    expect(res.body.consumer).toEqual({ id: bob.id });
    expect(res.body.key).toMatch(ALNUM32);
    expect(res.body).toMatchObject({ algorithm: 'HS256', rsa_public_key: null, tags: null, created_at: admin.clock });
  });

  it('keeps tags in order (13)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ tags: ['tag1', 'tag2'] }));
    expect(res.status).toBe(201);
    expect(res.body.tags).toEqual(['tag1', 'tag2']);
  });

  it('echoes a given key and a short secret (14)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bob2', secret: 'tooshort' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'bob2', secret: 'tooshort' });
  });

  it('lets two consumers share a secret (15)', () => {
    expect(admin.call('POST', '/consumers/alice/jwt/', json({ key: 'alice', secret: 'foobarbaz' })).status).toBe(201);
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bobsyouruncle', secret: 'foobarbaz' }));
    expect(res.status).toBe(201);
    expect(res.body.secret).toBe('foobarbaz');
  });

  it('accepts an RS256 public key sent form-urlencoded with CRLF line endings (16)', () => {
    const pem = RSA_PUBLIC.replace(/\n/g, '\r\n');
    const res = admin.call('POST', '/consumers/bob/jwt/', form(`key=bob3&algorithm=RS256&rsa_public_key=${encodeURIComponent(pem)}`));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'bob3', algorithm: 'RS256', rsa_public_key: pem });
  });

  it('accepts an RS256 public key sent as JSON (17)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bob4', algorithm: 'RS256', rsa_public_key: RSA_PUBLIC }));
    expect(res.status).toBe(201);
    expect(res.body.key).toBe('bob4');
  });

  it('returns 400 when RS256 has no rsa_public_key (18)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bob5', algorithm: 'RS256' }));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ rsa_public_key: 'required field missing', '@entity': [CONDITIONAL] });
    expect(res.body).toMatchObject({ code: 2, name: 'schema violation' });
    expect(res.body.message).toBe(`2 schema violations (${CONDITIONAL}; rsa_public_key: required field missing)`);
  });

  it('returns 400 when the RS256 key does not parse (19)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bob5', algorithm: 'RS256', rsa_public_key: 'test' }));
    expect(res.status).toBe(400);
    expect(res.body.fields).toEqual({ rsa_public_key: 'invalid key', '@entity': [CONDITIONAL] });
  });

  it('generates a 32-character alphanumeric secret when HS256 has none (20)', () => {
    const res = admin.call('POST', '/consumers/bob/jwt/', json({ key: 'bob5' }));
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(ALNUM32);
  });

  it('returns 404 for an unknown consumer', () => {
    expect(admin.call('POST', '/consumers/carol/jwt', json({})).status).toBe(404);
  });

  it("returns 409 with Kong's unique violation for a duplicate key", () => {
    admin.call('POST', '/consumers/alice/jwt', json({ key: 'dup' }));
    const res = admin.call('POST', '/consumers/bob/jwt', json({ key: 'dup' }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{key="dup"}'` });
  });
});

describe('GET, PUT, PATCH, DELETE /consumers/:consumer/jwt/:id', () => {
  let cred: { id: string; key: string };
  beforeEach(() => {
    for (let i = 0; i < 6; i++) admin.call('POST', '/consumers/bob/jwt', json({}));
    cred = admin.call('POST', '/consumers/bob/jwt', json({ key: 'bobkey' })).body;
    admin.call('DELETE', `/consumers/bob/jwt/${cred.id}`);
    cred = admin.call('POST', '/consumers/bob/jwt', json({ key: 'bobkey' })).body;
  });

  it("lists the consumer's credentials (21)", () => {
    const res = admin.call('GET', '/consumers/bob/jwt/');
    expect(res.status).toBe(200);
    expect(res.body.data).toHaveLength(7);
    expect(res.body.next).toBeNull();
  });

  it('gets a credential by id and by key (22)', () => {
    expect(admin.call('GET', `/consumers/bob/jwt/${cred.id}`).body.key).toBe('bobkey');
    expect(admin.call('GET', '/consumers/bob/jwt/bobkey').body.id).toBe(cred.id);
  });

  it('returns 404 for a credential owned by another consumer', () => {
    expect(admin.call('GET', '/consumers/alice/jwt/bobkey').status).toBe(404);
  });

  it('PUT with a key segment creates the credential with that key (23)', () => {
    const res = admin.call('PUT', '/consumers/bob/jwt/abcd', json({}));
    expect(res.status).toBe(200);
    expect(res.body.key).toBe('abcd');
    expect(res.body.consumer).toEqual({ id: bob.id });
  });

  it('PATCH by id and by key updates the credential (24)', () => {
    let res = admin.call('PATCH', `/consumers/bob/jwt/${cred.id}`, json({ key: 'alice', secret: 'newsecret' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: cred.id, key: 'alice', secret: 'newsecret' });
    res = admin.call('PATCH', '/consumers/bob/jwt/alice', json({ secret: 'newsecret2' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: cred.id, secret: 'newsecret2' });
  });

  it('DELETE gives 204, and 404 for an unknown key or the all-zero UUID (25)', () => {
    expect(admin.call('DELETE', `/consumers/bob/jwt/${cred.id}`).status).toBe(204);
    expect(admin.call('DELETE', '/consumers/bob/jwt/blah').status).toBe(404);
    expect(admin.call('DELETE', '/consumers/bob/jwt/00000000-0000-0000-0000-000000000000').status).toBe(404);
    expect(admin.call('GET', `/consumers/bob/jwt/${cred.id}`).status).toBe(404);
  });
});

describe('/jwts', () => {
  beforeEach(() => {
    admin.call('POST', '/consumers/bob/jwt', json({ key: 'bob-key' }));
    admin.call('POST', '/consumers/alice/jwt', json({ key: 'alice-key' }));
  });

  it('lists every credential, with or without a trailing slash (26)', () => {
    expect(admin.call('GET', '/jwts/').body.data).toHaveLength(2);
    expect(admin.call('GET', '/jwts').body.data).toHaveLength(2);
  });

  it('pages with size and offset (27)', () => {
    const first = admin.call('GET', '/jwts?size=1');
    expect(first.body.data).toHaveLength(1);
    expect(typeof first.body.offset).toBe('string');
    const second = admin.call('GET', `/jwts?size=1&offset=${encodeURIComponent(first.body.offset)}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(second.body.offset).toBeUndefined();
    expect(second.body.next).toBeNull();
  });

  it('POST without a consumer gives 400 (28)', () => {
    const res = admin.call('POST', '/jwts', json({ key: 'key' }));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe('schema violation (consumer: required field missing)');
  });

  it('POST with a consumer id creates the credential (29)', () => {
    const res = admin.call('POST', '/jwts', json({ key: 'key', consumer: { id: bob.id } }));
    expect(res.status).toBe(201);
    expect(res.body.key).toBe('key');
  });

  it('PUT without a consumer gives 400, with one gives 200 (30)', () => {
    expect(admin.call('PUT', '/jwts/key', json({})).body.message).toBe('schema violation (consumer: required field missing)');
    const res = admin.call('PUT', '/jwts/key', json({ consumer: { id: bob.id } }));
    expect(res.status).toBe(200);
    expect(res.body.key).toBe('key');
  });

  it('GET /jwts/:id/consumer and /jwts/:key/consumer give the owner (31)', () => {
    const cred = admin.call('GET', '/jwts/alice-key').body;
    for (const ref of [cred.id, 'alice-key']) {
      const res = admin.call('GET', `/jwts/${ref}/consumer`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(alice);
    }
  });

  it('GET /jwts/:unknown/consumer gives 404 (32)', () => {
    expect(admin.call('GET', `/jwts/${randomUUID()}/consumer`).status).toBe(404);
    expect(admin.call('GET', '/jwts/not-a-key/consumer').status).toBe(404);
  });

  it('DELETE of an unknown credential at top level gives 204', () => {
    expect(admin.call('DELETE', '/jwts/nope').status).toBe(204);
  });
});
