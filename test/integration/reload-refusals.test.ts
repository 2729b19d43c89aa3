// A running gateway process refuses, on SIGHUP, on --watch and on an Admin API write, what `portcullis check` and `start` refuse.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gatewayConfig, get, startUpstream, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { startGatewayProcess, stopProcessAfterEach, type LogLine } from '../helpers/gateway-process.js';

const CLI_DIST = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
/** No token from the environment: the file alone decides. */
const NO_TOKEN = { PORTCULLIS_ADMIN_TOKEN: '', PORTCULLIS_ADMIN_TOKEN_FILE: '' };

/** `portcullis check`'s error lines (stderr, `$.path: message`). */
function checkErrors(path: string): Promise<string[]> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI_DIST, 'check', '--config', path], { env: { ...process.env, ...NO_TOKEN } }, (_err, _out, stderr) =>
      resolve(
        stderr
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.startsWith('$.')),
      ),
    );
  });
}

const rejections = (logs: LogLine[]): string[] =>
  logs.flatMap((l) => (typeof l.msg === 'string' && l.msg.startsWith('config reload rejected: ') ? [l.msg.slice(24)] : []));

const proc = stopProcessAfterEach();

async function startOn(path: string, args: string[] = []): Promise<{ proxy: number; admin: number }> {
  proc.gw = startGatewayProcess(['--config', path, ...args], NO_TOKEN);
  const started = await proc.gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
  const port = (address: unknown): number => Number(String(address).split(':').at(-1));
  return { proxy: port(started.proxyListen), admin: port(started.adminListen) };
}

describe('reload refusals', () => {
  it('refuses on SIGHUP a file that check refuses (exposed Admin API without a token), with the same errors, and keeps serving the old config', async () => {
    proc.upstream = await startUpstream();
    const path = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(proc.upstream.port, ['/api']));
    const { proxy } = await startOn(path);
    expect((await get(proxy, '/api/x')).status).toBe(200);

    writeConfig(path, gatewayConfig(proc.upstream.port, ['/v2'], { admin_listen: '0.0.0.0:0' }));
    const expected = await checkErrors(path);
    expect(expected).toEqual([
      expect.stringMatching(
        /^\$\.gateway\.admin_listen: the Admin API would listen on the non-loopback address '0\.0\.0\.0' without a token/,
      ),
    ]);
    proc.gw!.child.kill('SIGHUP');
    await proc.gw!.waitForLog((l) => l.msg === 'config reload rejected; the previous config keeps serving');
    expect(rejections(proc.gw!.logs)).toEqual(expected);
    expect((await get(proxy, '/api/x')).status).toBe(200);
    expect((await get(proxy, '/v2/x')).status).toBe(404);

    // The refused file was not adopted: a valid edit afterwards reloads as generation 2.
    writeConfig(path, gatewayConfig(proc.upstream.port, ['/v2']));
    proc.gw!.child.kill('SIGHUP');
    await proc.gw!.waitForLog((l) => l.msg === 'config reloaded: generation 2');
    expect((await get(proxy, '/v2/x')).status).toBe(200);
  });

  it('refuses on --watch a file that removes the token of an Admin API moved off loopback, with check’s error, and keeps serving', async () => {
    proc.upstream = await startUpstream();
    const path = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(proc.upstream.port, ['/api'], { admin_token: 'secret-token' }));
    const { proxy } = await startOn(path, ['--watch']);

    writeConfig(path, gatewayConfig(proc.upstream.port, ['/v2'], { admin_listen: '[::]:0' }));
    const expected = await checkErrors(path);
    expect(expected).toEqual([
      expect.stringMatching(/^\$\.gateway\.admin_listen: the Admin API would listen on the non-loopback address '::'/),
    ]);
    await proc.gw!.waitForLog((l) => l.msg === 'config reload rejected; the previous config keeps serving');
    expect(rejections(proc.gw!.logs)).toEqual(expected);
    expect((await get(proxy, '/api/x')).status).toBe(200);
    expect((await get(proxy, '/v2/x')).status).toBe(404);
  });

  it('answers an Admin API POST /config that check would refuse with 400 and the same errors, changing nothing', async () => {
    proc.upstream = await startUpstream();
    const path = writeConfig(join(tempDir(), 'kong.json'), gatewayConfig(proc.upstream.port, ['/api']));
    const { proxy, admin } = await startOn(path);
    const before = readFileSync(path, 'utf8');
    const exposed = gatewayConfig(proc.upstream.port, ['/v2'], { admin_listen: '0.0.0.0:0' });
    const expected = await checkErrors(writeConfig(join(tempDir(), 'exposed.json'), exposed));

    const res = await fetch(`http://127.0.0.1:${admin}/config`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: JSON.stringify(exposed) }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { name: string; flattened_errors: Array<{ path: string; message: string }> };
    expect(body.name).toBe('invalid declarative configuration');
    expect(body.flattened_errors.map((e) => `${e.path}: ${e.message}`)).toEqual(expected);
    expect(readFileSync(path, 'utf8')).toBe(before);
    expect((await get(proxy, '/api/x')).status).toBe(200);
    expect((await get(proxy, '/v2/x')).status).toBe(404);
  });
});
