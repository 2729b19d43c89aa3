// Types for haproxy.mjs.
import type { BenchCredentials } from './tokens.mjs';
import type { Started } from './nginx.mjs';
export function haproxyMissing(): string | null;
export function haproxyConfig(opts: { port: number; backendPort: number; creds: BenchCredentials; publicKeyPath: string }): string;
export function startHaproxy(opts: {
  name?: string;
  cpus?: string | null;
  workDir: string;
  backendPort: number;
  creds: BenchCredentials;
}): Promise<Started>;
