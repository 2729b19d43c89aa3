// Types for scenarios.mjs.
import type { BenchCredentials } from './tokens.mjs';
export interface Scenario {
  id: string;
  title: string;
  path: string;
  expect: number;
  method?: string;
  tokens?: 'hsOne' | 'hsMany' | 'rsOne' | 'rsMany' | 'badMany' | 'hsPolicy';
  /** `false`: not run against the bare upstream / the fastify peer (no equivalent there). */
  bodyBytes?: number;
  connections?: number;
  direct?: boolean;
  peer?: boolean;
  /** 'authorizer': sent to the system's external-authorizer listener (systems without one skip it). */
  listener?: 'authorizer';
}
export const POLICY_CLAIMS: Record<string, unknown>;
export const DISTINCT_TOKENS: number;
export const UPLOAD_BYTES: number;
export const SCENARIOS: Scenario[];
export function buildTokenSets(
  creds: BenchCredentials,
  count?: number,
  scenarios?: Scenario[],
): Record<NonNullable<Scenario['tokens']>, string[]>;
export function selectScenarios(list?: string): Scenario[];
export function scenarioUrl(system: { url: string; authorizerUrl?: string; h2url?: string }, scenario: Scenario): string | undefined;
