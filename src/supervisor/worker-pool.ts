// Runs N worker threads on one proxy port: staggered start, config reloads, counter collection, restart with backoff, drain.
import net from 'node:net';
import { Worker } from 'node:worker_threads';
import type pino from 'pino';
import type { ValidatedConfig } from '../config/types.js';
import type { DataPlaneCounters, DataPlaneInfo } from '../pipeline/types.js';
import { createCounterAggregator, type CounterAggregator } from '../observability/counters.js';
import { relayWorkerLog } from '../observability/logger.js';
import type { WorkerStatus } from '../admin/status.js';
import type { FromWorker, WorkerStartData } from './protocol.js';
import { createTicketKeys } from '../tls/tls-generation.js';
import { ask, createSlot, sendTo, settleAllStopped, settleReply, slotStatus, type Slot } from './worker-slot.js';

export interface WorkerPoolOptions {
  entry: URL;
  execArgv?: string[];
  logger: pino.Logger;
  count: number;
  config: ValidatedConfig;
  generation: number;
  /** The proxy_listen entries; port 0 = a free port picked once and shared by every worker. */
  listeners: ReadonlyArray<{ host: string; port: number }>;
  logLevel: string;
  /**
   * Variables every worker gets on top of this process's environment (the resolve step's `workerEnv`). They go into
   * the process environment too, before the first worker starts: a native module (uWS) reads that one, not a
   * worker's copy, when it first loads.
   */
  env?: Readonly<Record<string, string>>;
  testHooks?: boolean;
  /** First restart delay; doubles per consecutive crash up to MAX_RESTART_DELAY_MS. */
  restartDelayMs?: number;
  now?: () => number;
}

export interface ReloadOutcome {
  ok: boolean;
  failures: Array<{ worker: number; message: string }>;
}

export interface WorkerPool {
  /** Starts every worker; resolves with the bound port of each proxy listener. */
  start(): Promise<number[]>;
  /** The bound authorizer port after start(), null when authorizer_listen is off. */
  authorizerPort(): number | null;
  reload(config: ValidatedConfig, generation: number): Promise<ReloadOutcome>;
  /** Asks every ready worker for fresh counters (bounded wait; stale values are used for the silent). */
  refresh(timeoutMs: number): Promise<void>;
  totals(): DataPlaneCounters;
  workers(): WorkerStatus[];
  /** The engines the first ready worker reported. */
  info(): DataPlaneInfo | null;
  stop(drainTimeoutMs: number): Promise<void>;
  /** Test hook: makes a worker throw an uncaught exception (only when testHooks is set). */
  crash(workerId: number): void;
}

const MAX_RESTART_DELAY_MS = 10_000;
/** A worker that served this long before dying restarts after the first delay again. */
const STABLE_AFTER_MS = 30_000;
/** How long reload acknowledgements and start-up may take. */
const REPLY_TIMEOUT_MS = 15_000;

export function createWorkerPool(options: WorkerPoolOptions): WorkerPool {
  const { logger } = options;
  const workerEnv = options.env ?? {};
  Object.assign(process.env, workerEnv);
  const now = options.now ?? Date.now;
  const restartDelayMs = options.restartDelayMs ?? 200;
  const aggregator: CounterAggregator = createCounterAggregator();
  const slots: Slot[] = [];
  let config = options.config;
  let generation = options.generation;
  let listenPorts = options.listeners.map((l) => l.port);
  let slot0Ports: number[] | null = null;
  const authzListen = options.config.gateway.authorizer_listen;
  let authorizerPort: number | undefined = authzListen?.port;
  let stopping = false;
  // One set per process: a restarted worker keeps accepting tickets the others issued.
  const ticketKeys = createTicketKeys();
  /** Until every worker first became ready, a dying worker fails start() instead of being restarted. */
  let started = false;

  function spawn(slot: Slot): Promise<void> {
    const data: WorkerStartData = {
      workerId: slot.id,
      config,
      generation,
      listenPorts,
      ...(authorizerPort !== undefined ? { authorizerPort } : {}),
      logLevel: options.logLevel,
      testHooks: options.testHooks ?? false,
      ticketKeys,
    };
    const worker = new Worker(options.entry, {
      workerData: data,
      env: { ...process.env, ...workerEnv },
      execArgv: options.execArgv,
      stdout: false,
      stderr: false,
    });
    slot.worker = worker;
    slot.state = 'starting';
    slot.port = null;
    slot.info = null;
    slot.generation = null;

    const ready = new Promise<void>((resolve, reject) => {
      slot.onReady = (message) => {
        slot.onReady = null;
        if (message.type === 'ready') resolve();
        else reject(new Error(`worker ${slot.id} failed to start: ${message.type === 'startFailed' ? message.message : 'exited'}`));
      };
    });

    worker.on('message', (message: FromWorker) => onMessage(slot, message));
    worker.on('error', (err) => logger.error({ err, worker: slot.id }, 'worker thread error'));
    worker.on('exit', (code) => onExit(slot, worker, code));
    return ready;
  }

  function onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'log':
        relayWorkerLog(logger, message.line);
        return;
      case 'ready':
        slot.state = 'ready';
        slot.port = message.ports[0] ?? null;
        if (slot.id === 0) {
          slot0Ports = message.ports;
          if (message.authorizerPort !== null) authorizerPort = message.authorizerPort;
        }
        slot.info = message.info;
        slot.generation = message.generation;
        slot.readyAt = now();
        slot.onReady?.(message);
        return;
      case 'startFailed':
        slot.onReady?.(message);
        return;
      case 'counters':
        aggregator.update(slot.id, message.counters);
        slot.memory = message.memory;
        slot.generation = message.generation;
        break;
      case 'reloaded':
        if (message.ok) slot.generation = message.generation;
        break;
      case 'stopped':
        return;
    }
    settleReply(slot, message);
  }

  function onExit(slot: Slot, worker: Worker, code: number): void {
    if (slot.worker !== worker) return;
    slot.worker = null;
    aggregator.retire(slot.id);
    settleAllStopped(slot);
    if (stopping || slot.state === 'stopping' || !started) {
      slot.state = 'stopped';
      return;
    }
    if (slot.readyAt > 0 && now() - slot.readyAt >= STABLE_AFTER_MS) slot.consecutiveCrashes = 0;
    const delay = Math.min(restartDelayMs * 2 ** slot.consecutiveCrashes, MAX_RESTART_DELAY_MS);
    slot.consecutiveCrashes += 1;
    slot.restarts += 1;
    slot.state = 'restarting';
    slot.readyAt = 0;
    logger.error({ worker: slot.id, exitCode: code, restartInMs: delay, restarts: slot.restarts }, 'worker thread died; restarting it');
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (stopping) return;
      spawn(slot).then(
        () => logger.info({ worker: slot.id, port: slot.port, generation: slot.generation }, 'worker thread restarted'),
        (err: unknown) => logger.error({ err, worker: slot.id }, 'restarted worker failed to start'),
      );
    }, delay);
  }

  async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  const pool: WorkerPool = {
    async start() {
      for (let i = 0; i < options.count; i++) slots.push(createSlot(i));
      // uSockets sets SO_REUSEPORT only for a non-zero port: a socket bound to port 0 cannot be shared,
      // so pick a free port here and give every worker (and any restarted one) that port.
      const ephemeral = options.listeners.some((l) => l.port === 0);
      for (let attempt = 1; ; attempt++) {
        if (ephemeral) {
          listenPorts = await reservePorts(options.listeners);
        }
        // Same for authorizer_listen: every worker must bind one non-zero port to share it.
        if (authzListen !== null && authzListen.port === 0) authorizerPort = await reservePort(authzListen.host);
        try {
          await withTimeout(spawn(slots[0]!), REPLY_TIMEOUT_MS, 'worker 0 start');
          break;
        } catch (err) {
          await stopSlots(0);
          // Another process may have taken the picked port between the probe and the bind.
          if ((!ephemeral && authzListen?.port !== 0) || attempt >= 3) throw err;
          logger.warn({ err, ports: listenPorts, authorizerPort }, 'picked proxy port was taken; retrying with another');
        }
      }
      try {
        listenPorts = slot0Ports ?? listenPorts;
        await withTimeout(Promise.all(slots.slice(1).map((s) => spawn(s))), REPLY_TIMEOUT_MS, 'worker start');
        started = true;
      } catch (err) {
        await pool.stop(0);
        throw err;
      }
      return listenPorts;
    },

    async reload(next, nextGeneration) {
      config = next;
      generation = nextGeneration;
      const replies = await Promise.all(
        slots.map(async (slot) => {
          // A worker that is (re)starting picks the new config up from workerData.
          if (slot.state !== 'ready') return { worker: slot.id, ok: true, message: '' };
          const reply = await ask(slot, (id) => ({ type: 'reload', id, config: next, generation: nextGeneration }), REPLY_TIMEOUT_MS);
          if (reply?.type === 'reloaded') return { worker: slot.id, ok: reply.ok, message: reply.message ?? '' };
          return { worker: slot.id, ok: false, message: reply ? 'worker ended during reload' : 'no answer from worker' };
        }),
      );
      const failures = replies.filter((r) => !r.ok).map(({ worker, message }) => ({ worker, message }));
      return { ok: failures.length === 0, failures };
    },

    async refresh(timeoutMs) {
      await Promise.all(slots.map((slot) => ask(slot, (id) => ({ type: 'counters', id }), timeoutMs)));
    },

    authorizerPort: () => (authzListen === null ? null : (authorizerPort ?? null)),

    totals: () => aggregator.total(),

    workers: () => slots.map((s) => slotStatus(s, aggregator.latest(s.id))),

    info() {
      return slots.find((s) => s.info)?.info ?? null;
    },

    async stop(drainTimeoutMs) {
      stopping = true;
      await stopSlots(drainTimeoutMs);
    },

    crash(workerId) {
      const slot = slots[workerId];
      if (slot) sendTo(slot, { type: 'crash' });
    },
  };

  async function stopSlots(drainTimeoutMs: number): Promise<void> {
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        slot.restartTimer = null;
        const worker = slot.worker;
        if (!worker) {
          slot.state = 'stopped';
          return;
        }
        slot.state = 'stopping';
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        sendTo(slot, { type: 'stop', timeoutMs: drainTimeoutMs });
        try {
          await withTimeout(exited, drainTimeoutMs + 5_000, `worker ${slot.id} stop`);
        } catch {
          // Last resort: terminating a worker that still holds a uWS socket can abort the process.
          logger.error({ worker: slot.id }, 'worker did not end after drain; terminating it');
          await worker.terminate();
        }
      }),
    );
  }
  return pool;
}

/** A distinct free port for each port-0 listener; configured ports are kept. */
async function reservePorts(listeners: ReadonlyArray<{ host: string; port: number }>): Promise<number[]> {
  const ports: number[] = [];
  for (const l of listeners) {
    let port = l.port;
    while (port === 0 || (l.port === 0 && ports.includes(port))) port = await reservePort(l.host);
    ports.push(port);
  }
  return ports;
}

function reservePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0, exclusive: true }, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
