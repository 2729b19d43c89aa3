// Attack class: every post-signing mutation of HS256, RS256, ES256 and EdDSA tokens, with a cold and a warm cache.
import { afterAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthDecision, AuthOutcome } from '../../../src/auth/types.js';
import { createHmacVerifier } from '../../../src/crypto/hmac.js';
import { createLibuvVerifier } from '../../../src/crypto/verify-libuv.js';
import {
  ANON_ID,
  ALICE_ID,
  b64url,
  bearer,
  buildConfig,
  DEFAULT_CONSUMERS,
  KEYS,
  makeToken,
  NOW,
  plugin,
  request,
  type ConsumerSpec,
} from './helpers.js';

const hmac = createHmacVerifier();
const offLoop = createLibuvVerifier({ maxPending: 1024 });
afterAll(() => offLoop.close());
const ASYM_ID = '44444444-4444-4444-8444-444444444444';
const asym: ConsumerSpec = {
  id: ASYM_ID,
  username: 'asym',
  credentials: [
    { key: 'rs256', algorithm: 'RS256', rsa_public_key: KEYS['rsa2048-a']!.publicPem },
    { key: 'es256', algorithm: 'ES256', rsa_public_key: KEYS['p256-a']!.publicPem },
    { key: 'ed25519', algorithm: 'EdDSA', rsa_public_key: KEYS['ed25519-a']!.publicPem },
  ],
};
const config = () => buildConfig([...DEFAULT_CONSUMERS, asym]);

interface AlgCase {
  name: string;
  key: string;
  alg: string;
  signer: string | Buffer;
  other: string | Buffer;
  consumer: string;
}
const ALGS: AlgCase[] = [
  { name: 'HS256', key: 'alice-key', alg: 'HS256', signer: 'alice-secret', other: 'bob-secret', consumer: ALICE_ID },
  {
    name: 'RS256',
    key: 'rs256',
    alg: 'RS256',
    signer: KEYS['rsa2048-a']!.privatePem,
    other: KEYS['rsa2048-b']!.privatePem,
    consumer: ASYM_ID,
  },
  { name: 'ES256', key: 'es256', alg: 'ES256', signer: KEYS['p256-a']!.privatePem, other: KEYS['p256-b']!.privatePem, consumer: ASYM_ID },
  {
    name: 'EdDSA',
    key: 'ed25519',
    alg: 'EdDSA',
    signer: KEYS['ed25519-a']!.privatePem,
    other: KEYS['ed25519-b']!.privatePem,
    consumer: ASYM_ID,
  },
];

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const parts = (t: string) => {
  const i = t.indexOf('.');
  const j = t.indexOf('.', i + 1);
  return [t.slice(0, i), t.slice(i + 1, j), t.slice(j + 1)] as const;
};
const withSig = (t: string, f: (s: string) => string) => {
  const [h, p, s] = parts(t);
  return `${h}.${p}.${f(s)}`;
};
function nonCanonical(s: string): string {
  const last = ALPHABET.indexOf(s[s.length - 1]!);
  return s.slice(0, -1) + ALPHABET[last | 1];
}

function sync(o: AuthOutcome): AuthDecision {
  if (o instanceof Promise) throw new Error('expected a synchronous decision');
  return o;
}
const outcome = (d: AuthDecision) => (d.kind === 'deny' ? `${d.status} ${JSON.parse(d.body).message}` : d.kind);

type Expect = 'allow' | string[];
const REFUSED_SIG = ['401 Invalid signature', '401 Bad token; invalid signature'];

/** Each mutation of a genuine token and what Kong (nginx's base64url decoder) answers. */
function mutations(c: AlgCase, good: string): Array<[string, string, Expect]> {
  const [h, p, s] = parts(good);
  const otherSig = parts(makeToken({ typ: 'JWT', alg: c.alg }, { iss: c.key, other: true }, c.signer))[2];
  const bytes = Buffer.from(s, 'base64url');
  const half = bytes.length / 2;
  return [
    ['sigAppend A', withSig(good, (x) => `${x}A`), REFUSED_SIG],
    ['sigAppend AAAA', withSig(good, (x) => `${x}AAAA`), ['401 Invalid signature']],
    ['sigAppend =garbage (nginx stops at =)', withSig(good, (x) => `${x}=garbage.with.dots`), 'allow'],
    ['sigInsert', withSig(good, (x) => `${x.slice(0, 5)}AB${x.slice(5)}`), REFUSED_SIG],
    ["sigReplace with another token's signature (sigFrom)", `${h}.${p}.${otherSig}`, ['401 Invalid signature']],
    [
      'sigStdAlphabet',
      withSig(good, (x) => `+${x.slice(1, -1).replace(/-/g, '+').replace(/_/g, '/')}/`),
      ['401 Bad token; invalid signature'],
    ],
    ['sigNoncanonical (same bytes)', withSig(good, nonCanonical), 'allow'],
    ['sigPad', withSig(good, (x) => x + '='.repeat((4 - (x.length % 4)) % 4)), 'allow'],
    ['sigPad with too many =', withSig(good, (x) => `${x}====`), 'allow'],
    ['sigFlip', withSig(good, (x) => (x[0] === 'A' ? 'B' : 'A') + x.slice(1)), ['401 Invalid signature']],
    ['sigTruncate 1', withSig(good, (x) => x.slice(0, -1)), REFUSED_SIG],
    ['sigTruncate 4', withSig(good, (x) => x.slice(0, -4)), ['401 Invalid signature']],
    ['sigSwapHalves', `${h}.${p}.${b64url(Buffer.concat([bytes.subarray(half), bytes.subarray(0, half)]))}`, ['401 Invalid signature']],
    [
      'signature by another key of the same kind',
      makeToken({ typ: 'JWT', alg: c.alg }, { iss: c.key }, c.other),
      ['401 Invalid signature'],
    ],
    ['dropSig', `${h}.${p}`, ['401 Bad token; invalid JSON']],
    ['emptySig', `${h}.${p}.`, ['401 Invalid signature']],
    ['appendSegment', `${good}.x`, ['401 Bad token; invalid signature']],
    ['appendSegment empty', `${good}.`, ['401 Bad token; invalid signature']],
    ['prefix x', `x${good}`, ['401 Bad token; invalid JSON']],
    ['prefix .', `.${good}`, ['401 Bad token; invalid JSON']],
    ['suffix .', `${good}.`, ['401 Bad token; invalid signature']],
    ['suffix %', `${good}%`, ['401 Bad token; invalid signature']],
    ['payloadReplace (other claims)', `${h}.${b64url({ iss: c.key, admin: true })}.${s}`, ['401 Invalid signature']],
    [
      'payloadReplace (other credential)',
      `${h}.${b64url({ iss: 'bob-key' })}.${s}`,
      c.alg === 'HS256' ? ['401 Invalid signature'] : ['401 Invalid algorithm'],
    ],
    ['headerReplace (added kid)', `${b64url({ typ: 'JWT', alg: c.alg, kid: 'x' })}.${p}.${s}`, ['401 Invalid signature']],
    ['headerReplace (alg none)', `${b64url({ typ: 'JWT', alg: 'none' })}.${p}.${s}`, ['401 Bad token; invalid alg']],
    [
      'headerReplace (alg swapped)',
      `${b64url({ typ: 'JWT', alg: c.alg === 'HS256' ? 'HS512' : 'HS256' })}.${p}.${s}`,
      ['401 Invalid algorithm'],
    ],
    ['padded header segment', `${h}=.${p}.${s}`, ['401 Invalid signature']],
    ['standard-base64 payload segment', `${h}.${p}+.${s}`, ['401 Bad token; invalid JSON']],
    ['tab inside the signature', withSig(good, (x) => `${x.slice(0, 3)}\t${x.slice(3)}`), ['401 Bad token; invalid signature']],
    ['CR inside the payload segment', `${h}.${p.slice(0, 4)}\r${p.slice(4)}.${s}`, ['401 Bad token; invalid JSON']],
    ['non-ASCII in the header segment', `${h}é.${p}.${s}`, ['401 Bad token; invalid JSON']],
    ['non-ASCII in the signature', withSig(good, (x) => `${x}é`), ['401 Bad token; invalid signature']],
    ['non-ASCII after = in the signature (ignored like nginx)', withSig(good, (x) => `${x}=é`), 'allow'],
  ];
}

describe.each(ALGS)('mutations of a genuine $name token', (c) => {
  const payload = { iss: c.key, sub: 'user-1' };
  const good = makeToken({ typ: 'JWT', alg: c.alg }, payload, c.signer);
  const cases = mutations(c, good);

  function check(label: string, decision: AuthDecision, want: Expect, consumer: string): void {
    if (want === 'allow') {
      expect(decision.kind, label).toBe('allow');
      if (decision.kind === 'allow') expect(decision.consumer.entity.id, label).toBe(consumer);
    } else {
      expect(want, label).toContain(outcome(decision));
    }
  }

  it.each(cases)("%s → Kong's answer, with a cold cache", (label, token, want) => {
    const a = createAuthenticator(config(), { now: () => NOW, hmac });
    check(label, sync(a.authenticate(plugin(), bearer(token))), want, c.consumer);
  });

  it('gives the same answers when the genuine token is already cached, and never stores a refused one', () => {
    const a = createAuthenticator(config(), { now: () => NOW, hmac });
    const p = plugin();
    expect(sync(a.authenticate(p, bearer(good))).kind).toBe('allow');
    const allowed = cases.filter(([, , w]) => w === 'allow').length;
    for (const [label, token, want] of cases) check(label, sync(a.authenticate(p, bearer(token))), want, c.consumer);
    // The genuine token plus each accepted variant under its own exact string; nothing refused was stored.
    expect(a.stats().cacheEntries).toBe(1 + allowed);
    for (const [label, token, want] of cases) check(`${label} (2nd)`, sync(a.authenticate(p, bearer(token))), want, c.consumer);
    expect(a.stats().cacheEntries).toBe(1 + allowed);
  });

  it("turns every refused mutation into the anonymous consumer, never the token's consumer", () => {
    const a = createAuthenticator(config(), { now: () => NOW, hmac });
    const p = plugin({ anonymous: ANON_ID });
    expect(sync(a.authenticate(p, bearer(good))).kind).toBe('allow');
    for (const [label, token, want] of cases) {
      const d = sync(a.authenticate(p, bearer(token)));
      expect(d.kind, label).toBe('allow');
      if (d.kind === 'allow') expect(d.anonymous, label).toBe(want !== 'allow');
    }
  });

  it('decides a query-string token exactly like the same token in the header', () => {
    const a = createAuthenticator(config(), { now: () => NOW, hmac });
    const p = plugin();
    for (const [label, token] of cases) {
      const viaHeader = outcome(sync(a.authenticate(p, bearer(token))));
      const viaQuery = outcome(sync(a.authenticate(p, request({ query: `jwt=${encodeURIComponent(token)}` }))));
      expect(viaQuery, label).toBe(viaHeader);
    }
  });
});

describe.each(ALGS.filter((c) => c.alg !== 'HS256'))('mutations of a genuine $name token verified off the event loop', (c) => {
  it('gives the same answers as inline verification', async () => {
    const good = makeToken({ typ: 'JWT', alg: c.alg }, { iss: c.key }, c.signer);
    const inline = createAuthenticator(config(), { now: () => NOW, hmac });
    const libuv = createAuthenticator(config(), { now: () => NOW, hmac, verifyAsymmetric: offLoop.verify });
    for (const [label, token] of mutations(c, good)) {
      expect(outcome(await libuv.authenticate(plugin(), bearer(token))), label).toBe(
        outcome(sync(inline.authenticate(plugin(), bearer(token)))),
      );
    }
  });
});

describe('mutations of a genuine HS256 token with the node:crypto HMAC engine', () => {
  it('gives the same answers as the active engine', () => {
    const c = ALGS[0]!;
    const good = makeToken({ typ: 'JWT', alg: c.alg }, { iss: c.key }, c.signer);
    const active = createAuthenticator(config(), { now: () => NOW, hmac });
    const fallback = createAuthenticator(config(), { now: () => NOW, hmac: createHmacVerifier({ forceFallback: true }) });
    for (const [label, token] of mutations(c, good)) {
      expect(outcome(sync(fallback.authenticate(plugin(), bearer(token)))), label).toBe(
        outcome(sync(active.authenticate(plugin(), bearer(token)))),
      );
    }
  });
});
