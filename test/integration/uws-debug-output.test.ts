// A gateway serving TLS certificates by name on uWS writes nothing but its JSON log lines to stdout, at start, across reloads and at exit.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeAddon } from '../../src/native/addon.js';
import { uwsBinaryAvailable } from '../../src/server/uws-loader.js';
import { tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { freePort, startGatewayProcess } from '../helpers/gateway-process.js';
import { createTestCa, type TestCert } from '../helpers/tls-certs.js';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const canDiscard = uwsBinaryAvailable() && typeof nativeAddon?.withStdoutDiscarded === 'function';

const ca = createTestCa();
afterAll(() => ca.cleanup());

function namedConfig(port: number, exact: TestCert, wildcard: TestCert, fallback: TestCert): Record<string, unknown> {
  return {
    _format_version: '3.0',
    gateway: {
      proxy_listen: `127.0.0.1:${port} ssl engine=uws`,
      admin_listen: 'off',
      workers: 2,
      ssl_cert: fallback.certFile,
      ssl_cert_key: fallback.keyFile,
    },
    certificates: [
      { cert: exact.cert, key: exact.key, snis: ['a.example.test'] },
      { cert: wildcard.cert, key: wildcard.key, snis: ['*.shop.test'] },
    ],
    services: [{ name: 'svc', url: 'http://127.0.0.1:9', routes: [{ name: 'all', paths: ['/'] }] }],
  };
}

describe.skipIf(!canDiscard)("uWS's debug lines", () => {
  it('never reach stdout: every line the gateway writes there is JSON, through two certificate rotations and the exit', async () => {
    const fallback = ca.leaf('fallback-cert', ['fallback.test']);
    const exact = [ca.leaf('exact-1', ['a.example.test']), ca.leaf('exact-2', ['a.example.test'])];
    const wildcard = ca.leaf('wildcard-cert', ['*.shop.test']);
    const port = await freePort();
    const path = writeConfig(join(tempDir(), 'kong.json'), namedConfig(port, exact[0]!, wildcard, fallback));
    const gateway = startGatewayProcess(['--config', path]);
    const logged = (msg: string): Promise<unknown> => gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith(msg));
    await logged('portcullis started');
    for (const generation of [2, 3]) {
      writeConfig(path, namedConfig(port, exact[(generation - 1) % 2]!, wildcard, fallback));
      gateway.child.kill('SIGHUP');
      await logged(`config reloaded: generation ${generation}`);
    }
    gateway.child.kill('SIGTERM');
    await gateway.exited;
    const stdout = gateway.stdout();
    expect(stdout).not.toMatch(/finding|Browsed to SNI/);
    expect(stdout.endsWith('\n')).toBe(true);
    const lines = stdout.slice(0, -1).split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.length).toBeGreaterThan(4);
  });
});

describe.skipIf(!canDiscard)('withStdoutDiscarded', () => {
  it("drops what uWS prints inside it, not what it prints after, and passes fn's result and exception through", () => {
    const script = `
      const { nativeAddon } = await import(${JSON.stringify(`${DIST}native/addon.js`)});
      const { loadUws } = await import(${JSON.stringify(`${DIST}server/uws-loader.js`)});
      const { uws } = await loadUws();
      const app = uws.App();
      const answer = nativeAddon.withStdoutDiscarded(() => { app.domain('inside.test'); return 42; });
      let thrown = null;
      try { nativeAddon.withStdoutDiscarded(() => { app.domain('throwing.test'); throw new Error('from fn'); }); }
      catch (error) { thrown = error.message; }
      app.domain('after.test');
      process.stderr.write(JSON.stringify({ answer, thrown }));
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(run.stderr)).toEqual({ answer: 42, thrown: 'from fn' });
    // A name never added: this build prints `Cannot browse to SNI: <name>`.
    expect(run.stdout).toContain('after.test');
    expect(run.stdout).not.toMatch(/inside\.test|throwing\.test/);
  });
});
