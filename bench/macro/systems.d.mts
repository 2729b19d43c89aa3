// Types for systems.mjs.
import type { BenchCredentials } from './tokens.mjs';
export const DEFAULT_GATEWAY_CMD: string;
export function startSystems(opts: {
  plan: any;
  creds: BenchCredentials;
  workDir: string;
  gatewayCmd?: string;
  only?: string[];
  upstream?: string;
  /** The h2load shape of the portcullis-h2 row, shown in its label. */
  h2Shape?: { connections: number; streams: number };
}): Promise<{ systems: any[]; upstream: any; stop: () => Promise<void> }>;
export function waitForStatus(url: string, status: number, timeoutMs: number, isDead?: () => boolean): Promise<boolean>;
export function gatewayConfig(opts: {
  port: number;
  authorizerPort?: number;
  upstreamPort: number;
  creds: BenchCredentials;
  h2Port?: number;
  accessLog?: string;
}): Record<string, any>;
export function startGateway(opts: {
  cmd: string;
  plan: any;
  creds: BenchCredentials;
  upstreamPort: number;
  workDir: string;
  accessLog?: string;
  name?: string;
  h2?: boolean;
}): Promise<{
  available: boolean;
  reason?: string;
  child?: import('node:child_process').ChildProcess;
  pid?: number;
  url?: string;
  authorizerUrl?: string;
}>;
export function startBackend(opts: {
  kind: 'uws' | 'nginx';
  name: string;
  cpus: string | null;
  workDir: string;
}): Promise<{ child: import('node:child_process').ChildProcess; port: number }>;
