// Types for tokens.mjs.
import type { KeyObject } from 'node:crypto';
export const HS_KEY: string;
export const RS_KEY: string;
export interface BenchCredentials {
  hs: { key: string; secret: string };
  rs: { key: string; privateKey: KeyObject; publicPem: string };
}
export function createCredentials(): BenchCredentials;
export function signJwt(alg: 'HS256' | 'RS256', key: string | KeyObject, payload: Record<string, unknown>): string;
export interface MakeTokensOptions {
  alg: 'HS256' | 'RS256';
  creds: BenchCredentials;
  count: number;
  nowSeconds?: number;
  tag?: string;
  /** Extra payload claims. */
  claims?: Record<string, unknown>;
}
export function makeTokens(opts: MakeTokensOptions): string[];
export function makeInvalidTokens(opts: MakeTokensOptions): string[];
