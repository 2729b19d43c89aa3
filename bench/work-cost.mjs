// What one more µs of work per request costs a server under the bench's load: the bench's uWS upstream, pinned, with
// busy work added to each request, against wrk (one thread, 64 connections) on the other CPU.
//
// A server slower than its loader leaves the loader asleep more often, so each answer also pays the kernel for waking
// it: on a VM whose wake-ups are dear, a µs of work per request costs more than a µs. This prints the factor.
// Usage: node bench/work-cost.mjs [--work µs,...] [--duration s] [--repeat n]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allowedCpus, hasTaskset, planCpus } from './macro/cpu.mjs';
import { pinSelf, startServer, stopProcess } from './macro/procs.mjs';
import { runWrk, wrkMissing } from './macro/wrk.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/**
 * One row per level of added work: the median µs of CPU per request over the repeats, what it adds over the first
 * level, and that addition per µs of work (the cost factor; 1.00 when the work costs just itself).
 */
export function workCostRows(levels) {
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const base = median(levels[0].usPerRequest);
  return levels.map(({ workUs, usPerRequest }) => {
    const us = median(usPerRequest);
    return { workUs, us, perCpuS: 1e6 / us, added: us - base, factor: workUs === 0 ? null : (us - base) / workUs };
  });
}

export function renderWorkCost(rows) {
  const lines = ['| work added per request | req/CPU-s | CPU per request | added over none | added ÷ work |', '|---|---|---|---|---|'];
  for (const r of rows) {
    const factor = r.factor === null ? '–' : `${r.factor.toFixed(2)}×`;
    lines.push(`| ${r.workUs} µs | ${(r.perCpuS / 1000).toFixed(1)}k | ${r.us.toFixed(2)} µs | ${r.added.toFixed(2)} µs | ${factor} |`);
  }
  return lines.join('\n');
}

async function measure({ workUs, durationS, cpus, workDir }) {
  const server = await startServer({
    name: `work-${workUs}`,
    argv: [process.execPath, path.join(HERE, 'macro', 'upstream.mjs')],
    cpus,
    env: { WORK_NS: String(Math.round(workUs * 1000)) },
    logPath: path.join(workDir, `work-${workUs}.log`),
  });
  try {
    const load = { url: `http://127.0.0.1:${server.port}`, scenario: { path: '/', expect: 200 }, tokens: null, connections: 64 };
    await runWrk({ ...load, durationS: 1 });
    const r = await runWrk({ ...load, durationS, pid: server.child.pid });
    if (!r.ok || !r.perCpuS) throw new Error(`work ${workUs} µs: ${r.problems.join('; ') || 'no CPU figure'}`);
    return 1e6 / r.perCpuS;
  } finally {
    await stopProcess(server.child);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  const { values } = parseArgs({
    options: {
      work: { type: 'string', default: '0,1,2,4' },
      duration: { type: 'string', default: '5' },
      repeat: { type: 'string', default: '3' },
    },
  });
  const missing = wrkMissing();
  if (missing !== null) {
    console.error(missing);
    process.exit(1);
  }
  const plan = planCpus(allowedCpus(), { hasTaskset: hasTaskset() });
  if (!plan.pinned) {
    console.error(`needs two CPUs and taskset (${plan.why})`);
    process.exit(1);
  }
  await pinSelf(plan.load);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-work-cost-'));
  const works = values.work.split(',').map(Number);
  if (works[0] !== 0) works.unshift(0);
  const levels = works.map((workUs) => ({ workUs, usPerRequest: [] }));
  // Levels in turn within each repeat, so a slow spell of the machine falls on all of them.
  for (let r = 0; r < Number(values.repeat); r++) {
    for (const level of levels)
      level.usPerRequest.push(await measure({ workUs: level.workUs, durationS: Number(values.duration), cpus: plan.sut, workDir }));
  }
  fs.rmSync(workDir, { recursive: true, force: true });
  console.log(
    `wrk -t1 -c64 on CPU ${plan.load}, the server on CPU ${plan.sut}; medians of ${values.repeat} runs of ${values.duration} s\n`,
  );
  console.log(renderWorkCost(workCostRows(levels)));
}
