// Runs the pure C++ core's own tests (RFC 4231 vectors, base64url edges, fuzz corpus and regressions) via g++.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('native C++ core', () => {
  it("passes its C++ unit tests, built with g++ against Node's OpenSSL headers", () => {
    const result = spawnSync('bash', ['native/test/run.sh'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.status, output).toBe(0);
    expect(output).toMatch(/\d+ passed, 0 failed/);
  }, 150_000);
});
