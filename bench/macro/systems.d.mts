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
}): Promise<{ systems: any[]; stop: () => Promise<void> }>;
export function waitForStatus(url: string, status: number, timeoutMs: number, isDead?: () => boolean): Promise<boolean>;
export function gatewayConfig(opts: {
  port: number;
  authorizerPort?: number;
  upstreamPort: number;
  creds: BenchCredentials;
  h2Port?: number;
  accessLog?: string;
}): Record<string, any>;
