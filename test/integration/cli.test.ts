import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gatewayConfig, get, startTestGateway, startUpstream, tempDir, TS_REGISTER, writeConfig } from '../helpers/gateway-harness.js';
import { startGatewayProcess, stopProcessAfterEach } from '../helpers/gateway-process.js';
import { createTestCa } from '../helpers/tls-certs.js';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TS_REGISTER, CLI, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const BAD = { _format_version: '3.0', services: [{ name: 'a', url: 'nope', extra: 1, routes: [{ paths: ['api'] }] }], typo: true };

const proc = stopProcessAfterEach();

describe('portcullis CLI', () => {
  it('prints the package version with --version', async () => {
    const run = await cli(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`portcullis ${VERSION}\n`);
  });

  it('prints usage with --help, naming every command and option', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const word of ['start', 'check', 'token', '--config', '--workers', '--log-level', 'PORTCULLIS_CONFIG', 'SIGHUP']) {
      expect(run.stdout).toContain(word);
    }
  });

  it('check exits 0 with a summary for a valid file', async () => {
    const path = writeConfig(join(tempDir(), 'ok.json'), gatewayConfig(3000, ['/api']));
    const run = await cli(['check', '--config', path]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('OK');
    expect(run.stdout).toContain('services: 1, routes: 1');
  });

  it('check exits 1 and lists every error with its JSON path', async () => {
    const path = writeConfig(join(tempDir(), 'bad.json'), BAD);
    const run = await cli(['check', '--config', path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('$.typo: unknown field');
    expect(run.stderr).toContain('$.services[0].extra: unknown field');
    expect(run.stderr).toMatch(/\$\.services\[0\]\.url: .+/);
    expect(run.stderr).toMatch(/\$\.services\[0\]\.routes\[0\]\.paths\[0\]: .+/);
  });

  it('check refuses what start refuses: an Admin API on a non-loopback address without a token, with its JSON path', async () => {
    const path = writeConfig(join(tempDir(), 'exposed.json'), gatewayConfig(3000, ['/api'], { admin_listen: '0.0.0.0:0' }));
    const noToken = { PORTCULLIS_ADMIN_TOKEN: '', PORTCULLIS_ADMIN_TOKEN_FILE: '' };
    const refusal = "$.gateway.admin_listen: the Admin API would listen on the non-loopback address '0.0.0.0' without a token";
    const check = await cli(['check', '--config', path], noToken);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(refusal);
    const start = await cli(['start', '--config', path], noToken);
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(refusal);
    // The environment's token is applied by the same resolve step, so check accepts the file as start would.
    const withToken = await cli(['check', '--config', path], { ...noToken, PORTCULLIS_ADMIN_TOKEN: 'from-env' });
    expect(withToken.code).toBe(0);
  });

  it('takes the config path from PORTCULLIS_CONFIG when --config is absent', async () => {
    const path = writeConfig(join(tempDir(), 'bad.json'), BAD);
    const run = await cli(['check'], { PORTCULLIS_CONFIG: path });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('$.typo: unknown field');
  });

  it('start with a bad config exits 1 listing every error on stderr', async () => {
    const path = writeConfig(join(tempDir(), 'bad.json'), BAD);
    for (const args of [
      ['--config', path],
      ['start', '--config', path],
    ]) {
      const run = await cli(args);
      expect(run.code).toBe(1);
      const errorLines = run.stderr.split('\n').filter((l) => l.startsWith('$.'));
      expect(errorLines.length).toBeGreaterThanOrEqual(4);
      expect(errorLines).toContain('$.typo: unknown field');
    }
  });

  it('exits 2 with usage on an unknown option, a bad --workers, --http-engine or PORTCULLIS_HTTP_ENGINE, or no config', async () => {
    for (const args of [
      ['--bogus'],
      ['--workers', '0', '--config', 'x.json'],
      ['--log-level', 'loud', '--config', 'x.json'],
      ['start'],
      ['--http-engine', 'nginx', '--config', 'x.json'],
    ]) {
      const run = await cli(args, { PORTCULLIS_CONFIG: '' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: portcullis');
    }
    const env = await cli(['--config', 'x.json'], { PORTCULLIS_HTTP_ENGINE: 'apache' });
    expect(env.code).toBe(2);
    expect(env.stderr).toContain('--http-engine (or PORTCULLIS_HTTP_ENGINE) must be one of: uws, node');
  });

  it('mints a token that the gateway accepts for the chosen credential, with extra claims', async () => {
    const upstream = await startUpstream();
    const dir = tempDir();
    const config = gatewayConfig(upstream.port, ['/api']) as { services: Array<Record<string, unknown>> } & Record<string, unknown>;
    config.services[0]!.plugins = [{ name: 'jwt', config: { claims_to_verify: ['exp'] } }];
    config.consumers = [
      {
        username: 'demo',
        jwt_secrets: [
          { key: 'demo-key', secret: 'demo-secret' },
          { key: 'other', secret: 'x' },
        ],
      },
    ];
    const path = writeConfig(join(dir, 'kong.json'), config);
    const run = await cli(['token', '--config', path, '--key', 'demo-key', '--claim', 'sub=alice', '--claim', 'admin=true']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const token = run.stdout.trim();
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toMatchObject({ iss: 'demo-key', sub: 'alice', admin: true });
    expect(payload.exp).toBeGreaterThan(Date.now() / 1000);

    const { gateway } = await startTestGateway(path);
    try {
      expect((await get(gateway.proxyPort, `/api/x?jwt=${token}`)).status).toBe(200);
      expect(upstream.seen.at(-1)?.headers['x-consumer-username']).toBe('demo');
      expect((await get(gateway.proxyPort, '/api/x')).status).toBe(401);
    } finally {
      await gateway.stop();
      await upstream.close();
    }
  });

  it('token explains an ambiguous or unknown credential and a misplaced flag', async () => {
    const dir = tempDir();
    const path = writeConfig(join(dir, 'kong.json'), {
      _format_version: '3.0',
      consumers: [
        {
          username: 'c',
          jwt_secrets: [
            { key: 'a', secret: 's' },
            { key: 'b', secret: 's' },
          ],
        },
      ],
    });
    const ambiguous = await cli(['token', '--config', path]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('pass --key to choose a credential (keys: a, b)');
    const unknown = await cli(['token', '--config', path, '--key', 'zzz']);
    expect(unknown.stderr).toContain("no jwt credential with key 'zzz'");
    const misplaced = await cli(['check', '--config', path, '--key', 'a']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--key belongs to the token command');
  });

  it('starts with --workers and --log-level overrides, reloads on SIGHUP, and exits 0 on SIGTERM', async () => {
    const upstream = await startUpstream();
    const dir = tempDir();
    const path = writeConfig(join(dir, 'kong.json'), gatewayConfig(upstream.port, ['/api'], { workers: 1, log_level: 'warn' }));
    const child = spawn(process.execPath, ['--import', TS_REGISTER, CLI, '--config', path, '--workers', '2', '--log-level', 'info']);
    const lines: Array<Record<string, unknown>> = [];
    let waiter: { test: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void } | null = null;
    let buffered = '';
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const record = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        lines.push(record);
        if (waiter?.test(record)) waiter.resolve(record);
      }
    });
    const waitFor = (test: (l: Record<string, unknown>) => boolean) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const found = lines.find(test);
        if (found) resolve(found);
        else waiter = { test, resolve };
      });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const started = await waitFor((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    expect(started.workers).toBe(2);
    const port = Number(String(started.proxyListen).split(':').at(-1));
    expect((await get(port, '/api/x')).status).toBe(200);

    writeConfig(path, gatewayConfig(upstream.port, ['/v2'], { workers: 1, log_level: 'warn' }));
    child.kill('SIGHUP');
    await waitFor((l) => l.msg === 'config reloaded: generation 2');
    expect((await get(port, '/v2/x')).status).toBe(200);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.some((l) => l.msg === 'stopped')).toBe(true);
    await upstream.close();
  });

  it('stops cleanly on a SIGTERM sent as soon as the started line appears, two workers (it used to end the process by the signal)', async () => {
    proc.upstream = await startUpstream();
    const path = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(proc.upstream.port, ['/api'], { workers: 2 }));
    proc.gw = startGatewayProcess(['--config', path, '--log-level', 'info']);
    const gateway = proc.gw;
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
    expect(gateway.logs.some((l) => l.msg === 'stopped')).toBe(true);
  });

  it('reloads on a SIGHUP sent as soon as the started line appears, two workers and a TLS listener (it used to end the process)', async () => {
    proc.upstream = await startUpstream();
    const ca = createTestCa();
    const cert = ca.leaf('cli-cert', ['cli.test']);
    const settings = { workers: 2, proxy_listen: '127.0.0.1:0 ssl', ssl_cert: cert.certFile, ssl_cert_key: cert.keyFile };
    const path = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(proc.upstream.port, ['/api'], settings));
    proc.gw = startGatewayProcess(['--config', path]);
    const gateway = proc.gw;
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    writeConfig(path, gatewayConfig(proc.upstream.port, ['/v2'], settings));
    gateway.child.kill('SIGHUP');
    await gateway.waitForLog((l) => l.msg === 'config reloaded: generation 2');
    expect(gateway.child.exitCode).toBeNull();
    ca.cleanup();
  });
});
