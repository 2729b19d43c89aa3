// Types for systems.mjs.
import type { BenchCredentials } from './tokens.mjs';
export const DEFAULT_GATEWAY_CMD: string;
export function gatewayConfig(opts: { port: number; upstreamPort: number; creds: BenchCredentials }): Record<string, any>;
