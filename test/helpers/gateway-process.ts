// A real `node dist/cli.js` gateway process: its JSON log lines, waits on them, its exit, and a free port to share.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { TestUpstream } from './gateway-harness.js';

const CLI_DIST = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface LogLine {
  msg?: string;
  [key: string]: unknown;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  /** Resolves with the first log line (already seen or future) that `match` accepts. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code once the process ended. */
  readonly exited: Promise<number | null>;
  /** Everything the process wrote to stdout so far, as written (logs holds stdout and stderr parsed by line). */
  stdout(): string;
}

/** `env`: variables over this process's environment (e.g. an empty PORTCULLIS_ADMIN_TOKEN). */
export function startGatewayProcess(args: string[], env: Record<string, string> = {}): GatewayProcess {
  const child = spawn(process.execPath, [CLI_DIST, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  let buffered = '';
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const text of lines) {
      try {
        logs.push(JSON.parse(text) as LogLine);
      } catch {
        logs.push({ msg: text });
      }
    }
    for (const w of waiters) w();
  };
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  // 'close': after the exit and its last stdout and stderr bytes.
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    logs,
    exited,
    stdout: () => stdout,
    waitForLog(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const hit = logs.find(match);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `no matching log line within ${timeoutMs} ms; last lines:\n${logs
                .slice(-5)
                .map((l) => JSON.stringify(l))
                .join('\n')}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** A port free right now on 127.0.0.1, for listeners that several processes share (SO_REUSEPORT needs a fixed port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** What a process test started; stopped and cleared after each test by `stopProcessAfterEach`. */
export interface StartedProcess {
  gw: GatewayProcess | null;
  upstream: TestUpstream | null;
}

/** Registers an afterEach that ends (SIGTERM) the gateway process and closes the upstream a test put into the returned object. */
export function stopProcessAfterEach(): StartedProcess {
  const started: StartedProcess = { gw: null, upstream: null };
  afterEach(async () => {
    started.gw?.child.kill('SIGTERM');
    await started.gw?.exited;
    started.gw = null;
    await started.upstream?.close();
    started.upstream = null;
  });
  return started;
}
