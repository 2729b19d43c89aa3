// The bench's floor systems (bench/macro/floor-proxy.mjs) against the bench's real uWS upstream: each relays GETs whole.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../../bench/macro/procs.mjs';
import { startSystems } from '../../bench/macro/systems.mjs';
import { createCredentials } from '../../bench/macro/tokens.mjs';

type Systems = Awaited<ReturnType<typeof startSystems>>;
let dir: string;
let started: Systems;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-floor-'));
  started = await startSystems({ plan: {}, creds: createCredentials(), workDir: dir, only: ['floor', 'floor-socket'], upstream: 'uws' });
}, 30_000);

afterAll(async () => {
  await started?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; type: string | null; length: string | null; body: Buffer }> {
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get('content-type'), length: res.headers.get('content-length'), body };
}

describe.each(['floor', 'floor-socket'])('the %s relay', (id) => {
  const url = () => started.systems.find((s) => s.id === id)!.url as string;

  it('is listed with its GET rows only', () => {
    const system = started.systems.find((s) => s.id === id)!;
    expect([system.available, system.peer, system.scenarios]).toEqual([true, true, ['passthrough', 'resp-64k']]);
  });

  it("answers with the upstream's status, type and body, framed by uWS", async () => {
    const small = await get(`${url()}/open/?a=1`);
    expect([small.status, small.type, small.length, small.body.toString()]).toEqual([200, 'application/json', '12', '{"ok":true}\n']);
    // 64 KiB arrives in several upstream reads: the socket client keeps the first until the rest come.
    const big = await get(`${url()}/open/big`);
    expect([big.status, big.type, big.body.length, big.body.every((b) => b === 0x61)]).toEqual([
      200,
      'application/octet-stream',
      64 * 1024,
      true,
    ]);
  });

  it('relays many requests at once over its kept-alive upstream connections', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => get(`${url()}/open/${i % 2 ? 'big' : ''}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(200));
    expect(answers.map((a) => a.body.length)).toEqual(Array.from({ length: 200 }, (_, i) => (i % 2 ? 64 * 1024 : 12)));
  });
});

describe('the floor relays without their upstream', () => {
  it('answer 502 once the upstream is gone', async () => {
    await stopProcess(started.upstream.child);
    for (const id of ['floor', 'floor-socket']) {
      const url = started.systems.find((s) => s.id === id)!.url as string;
      const answer = await get(`${url}/open/`);
      expect([id, answer.status]).toEqual([id, 502]);
    }
  });
});
