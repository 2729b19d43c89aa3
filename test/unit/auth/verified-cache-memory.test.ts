// The token cache's accounted bytes bound the heap it really holds, even for tokens sliced out of big headers.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../../src/auth/authenticator.js';
import type { AuthDecision } from '../../../src/auth/types.js';
import { buildConfig, hs256, plugin, request, NOW } from './helpers.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heap(): number {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('token cache memory', () => {
  it('holds at most 1.5x the bytes it counts when tokens arrive inside a 2 KiB Cookie header', () => {
    const entries = 10000;
    const a = createAuthenticator(buildConfig(undefined, { max_entries: entries, max_bytes: 1 << 30 }), { now: () => NOW });
    const p = plugin({ cookie_names: ['jwt'], header_names: [] });
    const tokens: string[] = [];
    for (let i = 0; i < entries; i++) tokens.push(hs256({ iss: 'alice-key', sub: `user-${i}`, exp: NOW + 3600 }));
    const padding = 'x'.repeat(2048);
    const before = heap();
    for (let i = 0; i < entries; i++) {
      // A fresh flat header string per request, as the front end copies it out of uWS.
      const cookie = Buffer.from(`session=${padding}; jwt=${tokens[i]}`, 'latin1').toString('latin1');
      expect((a.authenticate(p, request({ headers: { cookie } })) as AuthDecision).kind).toBe('allow');
    }
    const real = heap() - before;
    const stats = a.stats();
    expect(stats.cacheEntries).toBe(entries);
    expect(real).toBeLessThan(stats.cacheBytes * 1.5);
  });
});
