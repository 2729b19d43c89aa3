// Types for procs.mjs.
import type { ChildProcess } from 'node:child_process';
export function installExitHooks(): void;
export function killAll(signal?: NodeJS.Signals): void;
export function startProcess(opts: {
  name: string;
  argv: string[];
  cpus?: string | null;
  env?: Record<string, string>;
  logPath?: string;
  cwd?: string;
  onLine?: (line: string) => void;
}): ChildProcess;
export function stopProcess(child: ChildProcess | undefined, graceMs?: number): Promise<void>;
export function startServer(opts: {
  name: string;
  argv: string[];
  cpus?: string | null;
  env?: Record<string, string>;
  logPath: string;
  timeoutMs?: number;
}): Promise<{ child: ChildProcess; port: number }>;
export function freePort(): Promise<number>;
export function pinSelf(cpus: string): Promise<boolean>;
export function sleep(ms: number): Promise<void>;
