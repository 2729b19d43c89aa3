// Runs a real nginx from a test: generated config in a temp prefix dir, free loopback port, `daemon off`, logs kept in the dir.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './gateway-process.js';

/** The nginx binary on PATH (or the usual sbin paths), null when none is installed. */
export function findNginx(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' });
  const found = which.status === 0 ? which.stdout.trim() : '';
  if (found !== '') return found;
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export interface RunningNginx {
  readonly port: number;
  errorLog(): string;
  close(): Promise<void>;
}

function waitForPort(port: number, child: ChildProcess, dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (child.exitCode !== null) {
        reject(new Error(`nginx exited (${child.exitCode}): ${readLog(dir)}`));
        return;
      }
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nginx did not listen on ${port}: ${readLog(dir)}`));
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'error.log'), 'utf8');
  } catch {
    return '';
  }
}

/** Starts nginx with `servers` (server blocks; `listen` must use the given port) inside a minimal http block. */
export async function startNginx(binary: string, servers: (port: number) => string): Promise<RunningNginx> {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-nginx-'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} info;`,
    `pid ${join(dir, 'nginx.pid')};`,
    'events { worker_connections 256; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(dir, 'tmp', t)};`),
    servers(port),
    '}',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'ignore' });
  try {
    await waitForPort(port, child, dir, 10_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    port,
    errorLog: () => readLog(dir),
    close: () =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGQUIT');
      }),
  };
}
