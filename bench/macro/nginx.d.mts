// Types for nginx.mjs.
import type { ChildProcess } from 'node:child_process';
export const SMALL_JSON: string;
export const BIG_BYTES: number;
export const NO_ROUTE_JSON: string;
export type Started =
  | { available: true; child: ChildProcess; pid: number; port: number }
  | { available: false; reason: string; child?: undefined };
export function findBinary(name: string): string | null;
export function nginxMissing(): string | null;
export function nginxConfig(opts: { role: 'upstream' | 'proxy'; port: number; dir: string; backendPort?: number }): string;
export function startNginx(opts: {
  name: string;
  role: 'upstream' | 'proxy';
  cpus?: string | null;
  workDir: string;
  backendPort?: number;
}): Promise<Started>;
export function awaitListening(opts: {
  name: string;
  child: ChildProcess;
  port: number;
  errorLog: string;
  timeoutMs?: number;
}): Promise<Started>;
