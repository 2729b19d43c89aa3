// The messages exchanged between the supervisor (main thread) and each worker thread.
import type { ValidatedConfig } from '../config/types.js';
import type { DataPlaneCounters, DataPlaneInfo } from '../pipeline/types.js';

/** What a worker receives as `workerData`. */
export interface WorkerStartData {
  workerId: number;
  config: ValidatedConfig;
  generation: number;
  /** Port per proxy_listen entry (same order); overrides the configured ports (0 = ephemeral). */
  listenPorts: number[];
  logLevel: string;
  /** Enables test-only messages (`crash`). */
  testHooks: boolean;
  /** TLS session ticket keys, the same for every worker of the process so a ticket resumes on any of them. */
  ticketKeys?: Uint8Array;
}

export type ToWorker =
  | { type: 'reload'; id: number; config: ValidatedConfig; generation: number }
  | { type: 'counters'; id: number }
  | { type: 'stop'; timeoutMs: number }
  | { type: 'crash' };

export interface WorkerMemory {
  heapUsed: number;
}

export type FromWorker =
  | { type: 'ready'; ports: number[]; info: DataPlaneInfo; generation: number }
  | { type: 'startFailed'; message: string }
  | { type: 'reloaded'; id: number; ok: boolean; generation: number; message?: string }
  | { type: 'counters'; id: number; counters: DataPlaneCounters; generation: number; memory: WorkerMemory }
  | { type: 'log'; line: string }
  | { type: 'stopped' };
