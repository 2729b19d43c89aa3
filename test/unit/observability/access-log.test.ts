import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAccessLog, msText } from '../../../src/observability/access-log.js';

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'portcullis-al-')), 'access.log');
}

describe('access log lines', () => {
  it('writes valid JSON for client-controlled strings with quotes, backslashes and control characters', async () => {
    const path = tempFile();
    const log = createAccessLog(path, { workerId: 3 });
    const access = log.record('GE"T', '/a"b\\c\n\u0001/é');
    log.write({ requestId: 'f'.repeat(32), status: 404, access }, 0);
    await log.close();
    const line = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(line).toMatchObject({ worker: 3, method: 'GE"T', path: '/a"b\\c\n\u0001/é', status: 404, msg: 'access' });
  });

  it('logs 499 for a request whose client left before any response', async () => {
    const path = tempFile();
    const log = createAccessLog(path, { workerId: 1 });
    log.write({ requestId: '0'.repeat(32), status: 0, access: log.record('GET', '/slow') }, 0);
    await log.close();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ status: 499 });
  });

  it('drops and counts lines beyond its bounded buffer instead of growing without limit', async () => {
    const path = tempFile();
    const log = createAccessLog(path, { workerId: 1, maxBufferBytes: 4096, minWriteBytes: 8192 });
    for (let i = 0; i < 100; i++) log.write({ requestId: '0'.repeat(32), status: 200, access: log.record('GET', '/x') }, 0);
    expect(log.dropped).toBeGreaterThan(0);
    await log.close();
    const written = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(written.length + log.dropped).toBe(100);
  });

  it('re-opens its file so that lines after a rotation go to the new file', async () => {
    const path = tempFile();
    const log = createAccessLog(path, { workerId: 1 });
    log.write({ requestId: '1'.repeat(32), status: 200, access: log.record('GET', '/before') }, 0);
    await log.flush();
    renameSync(path, `${path}.1`);
    log.reopen();
    log.write({ requestId: '2'.repeat(32), status: 200, access: log.record('GET', '/after') }, 0);
    await log.close();
    expect(JSON.parse(readFileSync(`${path}.1`, 'utf8'))).toMatchObject({ path: '/before' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ path: '/after' });
  });

  it('fails at once when the file cannot be opened', () => {
    expect(() => createAccessLog(join(tmpdir(), 'no-such-dir-portcullis', 'x', 'access.log'), { workerId: 1 })).toThrow(/ENOENT/);
  });

  it('writes each duration as the text of Math.round(ms × 1000) / 1000, built from integers', () => {
    const same = (ms: number): void => {
      expect(msText(ms)).toBe(String(Math.round(ms * 1000) / 1000));
    };
    const edges =
      '0 -0 0.0004 0.0005 0.001 0.01 0.1 0.12 0.123 1 1.005 10.1 999.9995 1073741.823 1073741.824 1e7 -0.0004 -1.5 NaN Infinity';
    for (const ms of edges.split(' ').map(Number)) same(ms);
    fc.assert(fc.property(fc.double({ min: -1, max: 2e6, noNaN: true }), same), { numRuns: 20_000 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x3fffffff }), (us) => same(us / 1000)),
      { numRuns: 20_000 },
    );
  });

  it('writes the time as Date.now() does, once per millisecond as text', async () => {
    const path = tempFile();
    const log = createAccessLog(path, { workerId: 1 });
    const before = Date.now();
    for (let i = 0; i < 50; i++) log.write({ requestId: '0'.repeat(32), status: 200, access: log.record('GET', '/t') }, 0);
    const after = Date.now();
    await log.close();
    const times = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { time: number }).time);
    expect(times).toHaveLength(50);
    for (let i = 0; i < times.length; i++) {
      expect(times[i]).toBeGreaterThanOrEqual(i === 0 ? before : times[i - 1]!);
      expect(times[i]).toBeLessThanOrEqual(after);
    }
  });
});
