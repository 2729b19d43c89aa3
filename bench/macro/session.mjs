// What every macro bench mode shares: CPU pinning, the log directory, the upstream and loader choices, the run's description and its results files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { allowedCpus, clkTck, hasTaskset, planCpus } from './cpu.mjs';
import { nginxMissing } from './nginx.mjs';
import { pinSelf } from './procs.mjs';
import { wrkMissing } from './wrk.mjs';

export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const UPSTREAM_LABELS = { uws: "the bench's uWS upstream (upstream.mjs)", nginx: "Debian's nginx (one process)" };
export const LOADERS = ['wrk', 'autocannon'];
const LOADER_LABELS = {
  wrk: 'wrk, one thread (timed runs; warm-ups by autocannon)',
  autocannon: 'autocannon, in the bench process',
};

function git(args) {
  try {
    return execFileSync('git', args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim();
  } catch {
    return null;
  }
}

function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown CPU',
    cpus: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    clkTck: clkTck(),
  };
}

/**
 * Pin the load generator (this process), clear bench/results/logs.tmp, and settle the upstream
 * (nginx falls back to the uWS upstream when missing) and the HTTP/1.1 loader (wrk falls back to autocannon).
 * Returns { plan, pinning, workDir, upstream, loader }.
 */
export async function setUp(opts, log) {
  const plan = planCpus(allowedCpus(), { hasTaskset: hasTaskset(), disabled: !opts.pin });
  const pinning = plan.pinned
    ? `load generator on CPU ${plan.load}, system under test on CPU ${plan.sut}, backend upstream on CPU ${plan.upstream} (${plan.why})`
    : `not pinned (${plan.why})`;
  if (plan.pinned && !(await pinSelf(plan.load))) log('warning: could not pin the load generator');
  log(`pinning: ${pinning}`);
  const workDir = path.join(REPO, 'bench', 'results', 'logs.tmp');
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  let upstream = opts.upstream;
  if (upstream === 'nginx' && nginxMissing()) {
    log(`--upstream nginx skipped: ${nginxMissing()}; using the bench's uWS upstream`);
    upstream = 'uws';
  }
  log(`upstream: ${UPSTREAM_LABELS[upstream]}`);
  let loader = opts.loader;
  if (loader === 'wrk' && wrkMissing()) {
    log(`HTTP/1.1 load by autocannon: ${wrkMissing()}`);
    loader = 'autocannon';
  }
  log(`HTTP/1.1 load: ${LOADER_LABELS[loader]}`);
  return { plan, pinning, workDir, upstream, loader };
}

/** The run's description for its results files: date, commit, Node, machine, pinning, command, upstream, settings. */
export function runMeta(opts, { pinning, upstream, loader }) {
  const commit = git(['rev-parse', '--short', 'HEAD']) ?? 'nocommit';
  const dirty = git(['diff-index', '--quiet', 'HEAD', '--']) === null;
  return {
    date: new Date().toISOString(),
    commit: `${commit}${dirty ? '+dirty' : ''}`,
    node: process.version,
    machine: machineInfo(),
    pinning,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    upstream: UPSTREAM_LABELS[upstream],
    loader: LOADER_LABELS[loader],
    settings: {
      repeat: opts.repeat,
      durationS: opts.durationS,
      warmupS: opts.warmupS,
      connections: opts.connections,
      h2Streams: opts.h2Streams,
      pairs: opts.pairs,
      windowS: opts.windowS,
    },
  };
}

/** bench/results/<date>-<commit><suffix>.json and .md, unless --no-write. */
export function writeResults(opts, meta, suffix, json, md, log) {
  if (!opts.write) return;
  const base = path.join(REPO, 'bench', 'results', `${meta.date.slice(0, 10)}-${meta.commit.replace('+dirty', '')}${suffix}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, md);
  log(`wrote ${path.relative(REPO, base)}.json and .md`);
}
