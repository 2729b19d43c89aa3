import { describe, expect, it } from 'vitest';
import { parseWrk, wrkScript } from '../../../bench/macro/wrk.mjs';

describe('bench wrk script and result line', () => {
  it('reads the counts, the errors and the latencies (µs → ms) from the script’s result line', () => {
    const text =
      'Running 30s test @ http://127.0.0.1:1/\n  1 threads and 64 connections\nWRK-RESULT 90210 1500123 0 1 2 3 4 512 2048 9000\n';
    expect(parseWrk(text)).toEqual({
      requests: 90210,
      durationUs: 1500123,
      errors: { connect: 0, read: 1, write: 2, status: 3, timeout: 4 },
      p50: 0.512,
      p99: 2.048,
      p999: 9,
    });
    expect(parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toBeNull();
  });

  it('builds per-request rotation only with tokens, so a token-less run keeps wrk’s single prebuilt request', () => {
    const plain = wrkScript({ method: 'GET', tokensFile: null, bodyFile: null, contentType: null });
    expect(plain).not.toContain('function request()');
    expect(plain).toContain('function done(');
    const rotating = wrkScript({ method: 'GET', tokensFile: 'tokens.txt', bodyFile: null, contentType: null });
    expect(rotating).toContain('io.lines("tokens.txt")');
    expect(rotating).toContain('function request()');
    const upload = wrkScript({ method: 'POST', tokensFile: null, bodyFile: 'body.bin', contentType: 'application/octet-stream' });
    expect(upload).toContain('wrk.method = "POST"');
    expect(upload).toContain('io.open("body.bin", "rb")');
    expect(upload).toContain('wrk.headers["Content-Type"] = "application/octet-stream"');
  });
});
