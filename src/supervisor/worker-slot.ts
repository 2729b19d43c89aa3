// One worker thread's place in the pool: its state, the replies it owes, and its row of the `/status` workers list.
import type { Worker } from 'node:worker_threads';
import type { WorkerStatus } from '../admin/status.js';
import type { DataPlaneCounters, DataPlaneInfo } from '../pipeline/types.js';
import type { FromWorker, ToWorker, WorkerMemory } from './protocol.js';

export interface Slot {
  id: number;
  worker: Worker | null;
  state: WorkerStatus['state'];
  port: number | null;
  info: DataPlaneInfo | null;
  generation: number | null;
  restarts: number;
  consecutiveCrashes: number;
  readyAt: number;
  memory: WorkerMemory | null;
  restartTimer: NodeJS.Timeout | null;
  /** Waiters for replies by request id; answered `stopped` when the worker ends. */
  pending: Map<number, (message: FromWorker) => void>;
  onReady: ((message: FromWorker) => void) | null;
}

export function createSlot(id: number): Slot {
  return {
    id,
    worker: null,
    state: 'starting',
    port: null,
    info: null,
    generation: null,
    restarts: 0,
    consecutiveCrashes: 0,
    readyAt: 0,
    memory: null,
    restartTimer: null,
    pending: new Map(),
    onReady: null,
  };
}

export function sendTo(slot: Slot, message: ToWorker): void {
  slot.worker?.postMessage(message);
}

let nextRequestId = 1;

/** Sends a request carrying an id and waits for the reply with that id (or the worker's end, or a timeout). */
export function ask(slot: Slot, make: (id: number) => ToWorker, timeoutMs: number): Promise<FromWorker | null> {
  if (!slot.worker || slot.state !== 'ready') return Promise.resolve(null);
  const id = nextRequestId++;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      slot.pending.delete(id);
      resolve(null);
    }, timeoutMs);
    slot.pending.set(id, (message) => {
      clearTimeout(timer);
      resolve(message);
    });
    sendTo(slot, make(id));
  });
}

/** Hands a reply to the waiter of its request id, if any. */
export function settleReply(slot: Slot, message: FromWorker): void {
  if ('id' in message && message.id !== 0) {
    const waiter = slot.pending.get(message.id);
    slot.pending.delete(message.id);
    waiter?.(message);
  }
}

/** The worker ended: every waiter (replies and start-up) learns it now rather than at its timeout. */
export function settleAllStopped(slot: Slot): void {
  for (const waiter of slot.pending.values()) waiter({ type: 'stopped' });
  slot.pending.clear();
  slot.onReady?.({ type: 'stopped' });
}

export function slotStatus(slot: Slot, counters: DataPlaneCounters | undefined): WorkerStatus {
  return {
    id: slot.id,
    thread_id: slot.worker?.threadId ?? null,
    state: slot.state,
    generation: slot.generation,
    port: slot.port,
    http_engine: slot.info?.httpEngine ?? null,
    hmac_engine: slot.info?.hmacEngine ?? null,
    restarts: slot.restarts,
    requests: counters?.requests ?? 0,
    in_flight: counters?.inFlight ?? 0,
    heap_used: slot.memory?.heapUsed ?? null,
  };
}
