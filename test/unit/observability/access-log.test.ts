import { mkdtempSync, readFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAccessLog } from '../../../src/observability/access-log.js';

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
});
