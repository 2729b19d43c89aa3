// The work-cost probe against real processes: the bench's upstream busy for WORK_NS per request, and the command.
import { execFileSync, spawn } from 'node:child_process';
import os from 'node:os';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { wrkMissing } from '../../bench/macro/wrk.mjs';

async function startUpstream(workNs: number): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['bench/macro/upstream.mjs'], { env: { ...process.env, WORK_NS: String(workNs) } });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (line: Buffer) => resolve(JSON.parse(line.toString()).port as number));
    child.once('exit', (code) => reject(new Error(`upstream exited ${code}`)));
  });
  return { port, stop: () => child.kill() };
}

async function requestMs(port: number): Promise<number> {
  const start = process.hrtime.bigint();
  const res = await request(`http://127.0.0.1:${port}/`);
  await res.body.text();
  expect(res.statusCode).toBe(200);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

describe('the work-cost probe against real servers', () => {
  it("makes the bench's upstream busy for WORK_NS before each answer, and not at all without it", async () => {
    const busy = await startUpstream(30_000_000);
    const idle = await startUpstream(0);
    try {
      await requestMs(busy.port);
      expect(await requestMs(busy.port)).toBeGreaterThanOrEqual(30);
      await requestMs(idle.port);
      expect(await requestMs(idle.port)).toBeLessThan(30);
    } finally {
      busy.stop();
      idle.stop();
    }
  });

  it.skipIf(wrkMissing() !== null || os.availableParallelism() < 2)('runs as a command and prints the table', () => {
    const out = execFileSync(process.execPath, ['bench/work-cost.mjs', '--work', '1', '--duration', '0.5', '--repeat', '1'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out).toMatch(
      /\| 0 µs \| [\d.]+k \| [\d.]+ µs \| 0\.00 µs \| – \|\n\| 1 µs \| [\d.]+k \| [\d.]+ µs \| -?[\d.]+ µs \| -?[\d.]+× \|\n$/,
    );
  });
});
