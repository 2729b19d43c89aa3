// Process CPU time from /proc/<pid>/stat and the CPU pinning plan (load generator vs system under test).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/**
 * utime + stime in clock ticks from the text of /proc/<pid>/stat. The process-level line
 * covers all threads. The command name (field 2) may contain spaces and parentheses, so
 * fields are counted from the last ')'.
 */
export function parseStatTicks(text) {
  const end = text.lastIndexOf(')');
  if (end < 0) throw new Error('unexpected /proc stat format');
  const fields = text
    .slice(end + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc stat format');
  return utime + stime;
}

let clockTicks = 0;
/** Clock ticks per second (`getconf CLK_TCK`, 100 when that fails). */
export function clkTck() {
  if (clockTicks) return clockTicks;
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

/** CPU seconds (user + system, all threads) used so far by `pid`, or null when /proc is unavailable. */
export function cpuSeconds(pid) {
  try {
    return parseStatTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / clkTck();
  } catch {
    return null;
  }
}

/** Parse a Linux CPU list such as "0-3,6,8-9" into numbers. */
export function parseCpuList(text) {
  const out = [];
  for (const part of text.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    for (let i = a; i <= (b ?? a); i++) out.push(i);
  }
  return out;
}

/** CPUs this process may run on (Cpus_allowed_list), falling back to 0..n-1. */
export function allowedCpus() {
  try {
    const m = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return parseCpuList(m[1]);
  } catch {
    /* not Linux */
  }
  return Array.from({ length: os.availableParallelism() }, (_, i) => i);
}

/**
 * Decide which CPUs each role gets. The system under test (gateway, peer, or the direct
 * upstream when it is measured alone) always gets exactly one CPU of its own; the load
 * generator gets another; the backend upstream shares the load generator's CPU on a
 * 2-CPU machine and gets its own from 3 CPUs on. Returns null fields when not pinning.
 */
export function planCpus(cpus, { hasTaskset, disabled = false }) {
  if (disabled || !hasTaskset || cpus.length < 2) {
    const why = disabled ? 'disabled by --no-pin' : !hasTaskset ? 'taskset not found' : 'only one CPU';
    return { pinned: false, why, load: null, sut: null, upstream: null };
  }
  const load = String(cpus[0]);
  const sut = String(cpus[1]);
  const upstream = cpus.length >= 3 ? cpus.slice(2).join(',') : load;
  return { pinned: true, why: `${cpus.length} CPUs available`, load, sut, upstream };
}

export function hasTaskset() {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
