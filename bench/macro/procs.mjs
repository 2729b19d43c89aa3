// Spawns the bench's child processes (optionally pinned with taskset) and guarantees none outlives the runner.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const children = new Set();
let hooksInstalled = false;

/** Kill every child we started: SIGTERM to its process group, SIGKILL shortly after if still alive. */
export function killAll(signal = 'SIGTERM') {
  for (const child of children) killChild(child, signal);
}

function killChild(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      /* gone */
    }
  }
}

/**
 * For the bench runner only (not when used as a library in tests): on exit, signals and
 * uncaught errors, kill every child before the process goes.
 */
export function installExitHooks() {
  if (hooksInstalled) return;
  hooksInstalled = true;
  // 'exit' handlers must be synchronous: SIGKILL is the only thing guaranteed to land in time.
  process.on('exit', () => killAll('SIGKILL'));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping child processes\n`);
      killAll('SIGTERM');
      setTimeout(() => process.exit(130), 300).unref();
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: uncaught ${err?.stack ?? err}\n`);
    killAll('SIGKILL');
    process.exit(1);
  });
  process.on('unhandledRejection', (err) => {
    process.stderr.write(`bench: unhandled rejection ${err?.stack ?? err}\n`);
    killAll('SIGKILL');
    process.exit(1);
  });
}

/**
 * Start `argv` (optionally under `taskset -c cpus`) in its own process group.
 * stdin is a pipe held by the runner, so our own child scripts exit when the runner dies
 * even by SIGKILL. stdout/stderr go to `logPath`; `onLine` additionally sees stdout lines.
 */
export function startProcess({ name, argv, cpus, env, logPath, cwd, onLine }) {
  const full = cpus ? ['taskset', '-c', cpus, ...argv] : argv;
  // Without a log file the child shares our terminal (micro benches print their own tables).
  const log = logPath ? fs.openSync(logPath, 'a') : null;
  if (log !== null) fs.writeSync(log, `\n=== ${new Date().toISOString()} ${full.join(' ')}\n`);
  const out = log ?? 'inherit';
  const child = spawn(full[0], full.slice(1), {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['pipe', onLine ? 'pipe' : out, out],
    detached: true,
  });
  if (onLine) {
    let buf = '';
    child.stdout.on('data', (chunk) => {
      if (log !== null) fs.writeSync(log, chunk);
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
  }
  // 'close' (not 'exit') so no stdout chunk arrives after the log is closed.
  child.on('close', () => {
    children.delete(child);
    if (log !== null) fs.closeSync(log);
  });
  child.on('error', () => {
    children.delete(child);
  });
  child.stdin.on('error', () => {});
  children.add(child);
  child.benchName = name;
  return child;
}

/** Stop one child and wait for it to exit (SIGTERM, then SIGKILL after `graceMs`). */
export function stopProcess(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => killChild(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    killChild(child, 'SIGTERM');
  });
}

/** Start one of our own server scripts and wait for its `{"port":N}` line. */
export function startServer({ name, argv, cpus, env, logPath, timeoutMs = 15000 }) {
  return new Promise((resolve, reject) => {
    let done = false;
    const child = startProcess({
      name,
      argv,
      cpus,
      env,
      logPath,
      onLine: (line) => {
        if (done) return;
        try {
          const msg = JSON.parse(line);
          if (typeof msg.port === 'number') {
            done = true;
            clearTimeout(timer);
            resolve({ child, port: msg.port });
          }
        } catch {
          /* not our line */
        }
      },
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      stopProcess(child);
      reject(new Error(`${name} did not report a port within ${timeoutMs} ms (see ${path.relative(process.cwd(), logPath)})`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`${name} exited during startup (code ${code}, signal ${signal}; see ${path.relative(process.cwd(), logPath)})`));
    });
  });
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for processes that need a port up front). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Pin the current process (all threads) to `cpus`; returns false when taskset failed. */
export function pinSelf(cpus) {
  return new Promise((resolve) => {
    const p = spawn('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
