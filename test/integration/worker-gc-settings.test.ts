// The worker isolates' collector settings: gateway.gc_semi_space_mb sizes each worker's young generation, scavenges run on one thread.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gatewayConfig, get, startUpstream, tempDir, writeConfig } from '../helpers/gateway-harness.js';
import { startGatewayProcess, stopProcessAfterEach } from '../helpers/gateway-process.js';
import { errorLines, base, valid } from '../unit/config/helpers.js';

const GC_SETTINGS = new URL('../../dist/supervisor/gc-settings.js', import.meta.url).href;

/**
 * In a fresh `node` (V8 flags are process-wide, so never in the test runner): apply the settings, start a worker
 * thread, and report the flags and the worker's new space once it allocated a few MB.
 */
function probeWorker(semiSpaceMb: number, nodeArgs: string[] = []): Promise<{ flags: string[]; newSpaceMiB: number }> {
  const script = `
    import { Worker } from 'node:worker_threads';
    const { applyGcSettings } = await import(${JSON.stringify(GC_SETTINGS)});
    const { flags } = applyGcSettings(${semiSpaceMb});
    const w = new Worker(\`
      const v8 = require('node:v8');
      const keep = [];
      for (let i = 0; i < 200000; i++) { const o = { i, s: 'x' + i }; if (i % 1000 === 0) keep.push(o); }
      const s = v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
      require('node:worker_threads').parentPort.postMessage(s.space_size);
    \`, { eval: true, execArgv: [] });
    w.once('message', (size) => { console.log(JSON.stringify({ flags, newSpaceMiB: size / 1048576 })); w.terminate(); });
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout.trim()) as { flags: string[]; newSpaceMiB: number }),
    );
  });
}

const proc = stopProcessAfterEach();

describe('worker GC settings', () => {
  it('gives a worker started after them a fixed semi-space of gc_semi_space_mb (new space = 2 semi-spaces) and one-thread scavenges', async () => {
    const sized = await probeWorker(8);
    expect(sized.flags).toEqual(['--no-parallel-scavenge', '--min-semi-space-size=8', '--max-semi-space-size=8']);
    expect(sized.newSpaceMiB).toBe(16);
  });

  it("keeps V8's own young-generation sizing at 0 and the operator's parallel-scavenge choice from node's command line", async () => {
    const own = await probeWorker(0, ['--parallel-scavenge']);
    expect(own.flags).toEqual([]);
    expect(own.newSpaceMiB).toBeLessThan(16);
  });

  it("leaves the semi-space to the operator when node's command line sizes it, whatever gc_semi_space_mb says", async () => {
    const own = await probeWorker(16, ['--max-semi-space-size=4']);
    expect(own.flags).toEqual(['--no-parallel-scavenge']);
    expect(own.newSpaceMiB).toBeLessThanOrEqual(8);
  });

  it('accepts gc_semi_space_mb from 0 to 1024, 16 by default, and refuses other values with the JSON path', () => {
    expect(valid(base({ gateway: { gc_semi_space_mb: 32 } })).gateway.gc_semi_space_mb).toBe(32);
    expect(valid(base({ gateway: { gc_semi_space_mb: 0 } })).gateway.gc_semi_space_mb).toBe(0);
    expect(valid(base()).gateway.gc_semi_space_mb).toBe(16);
    expect(errorLines(base({ gateway: { gc_semi_space_mb: 2048 } }))).toEqual([expect.stringMatching(/^\$\.gateway\.gc_semi_space_mb: /)]);
    expect(errorLines(base({ gateway: { gc_semi_space_mb: 'big' } }))).toEqual([expect.stringMatching(/^\$\.gateway\.gc_semi_space_mb: /)]);
  });

  it('a gateway started with gc_semi_space_mb serves traffic and logs the flags its workers got', async () => {
    proc.upstream = await startUpstream();
    const path = writeConfig(
      join(tempDir(), 'kong.json'),
      gatewayConfig(proc.upstream.port, ['/api'], { gc_semi_space_mb: 16, log_level: 'debug' }),
    );
    proc.gw = startGatewayProcess(['--config', path], { PORTCULLIS_ADMIN_TOKEN: '', PORTCULLIS_ADMIN_TOKEN_FILE: '' });
    const settings = await proc.gw.waitForLog((l) => l.msg === 'worker GC settings');
    expect(settings.flags).toEqual(['--no-parallel-scavenge', '--min-semi-space-size=16', '--max-semi-space-size=16']);
    const started = await proc.gw.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('portcullis started'));
    const proxy = Number(String(started.proxyListen).split(':').at(-1));
    expect((await get(proxy, '/api/x')).status).toBe(200);
  });
});
