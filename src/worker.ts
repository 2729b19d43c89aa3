// Worker-thread entry: builds the thread's runtime, compiles the config it is sent, runs one data plane, answers the supervisor.
import { parentPort, workerData } from 'node:worker_threads';
import v8 from 'node:v8';
import { compileConfig } from './config/compile.js';
import { createDataPlane } from './pipeline/data-plane.js';
import type { DataPlane } from './pipeline/types.js';
import { createThreadRuntime, type ThreadRuntime } from './pipeline/thread-runtime.js';
import { createWorkerLogger } from './observability/logger.js';
import { createAccessLog } from './observability/access-log.js';
import type { FromWorker, ToWorker, WorkerStartData } from './supervisor/protocol.js';
import { packageVersion } from './supervisor/package-version.js';

const COUNTERS_INTERVAL_MS = 1000;
/** How long an emergency shutdown may take before the thread exits regardless. */
const CRASH_CLOSE_MS = 1000;

if (!parentPort) throw new Error('worker.ts must run in a worker thread');
const port = parentPort;
const data = workerData as WorkerStartData;
const post = (message: FromWorker): void => port.postMessage(message);
const logger = createWorkerLogger(data.logLevel, data.workerId, (line) => post({ type: 'log', line }));

let runtime: ThreadRuntime | null = null;
let plane: DataPlane | null = null;
let crashing = false;
let countersTimer: NodeJS.Timeout | null = null;

function postCounters(id: number): void {
  if (!plane) return;
  post({
    type: 'counters',
    id,
    counters: plane.counters(),
    generation: plane.generation,
    memory: { heapUsed: v8.getHeapStatistics().used_heap_size },
  });
}

/** A worker must not end with a live uWS socket (that aborts Node): close the data plane first, then exit non-zero. */
function crash(err: unknown): void {
  if (crashing) return;
  crashing = true;
  logger.fatal({ err }, 'worker crashed; closing its listener before exiting');
  if (countersTimer) clearInterval(countersTimer);
  const exit = (): never => process.exit(1);
  setTimeout(exit, CRASH_CLOSE_MS).unref();
  closeAll(0).then(exit, exit);
}

/** The data plane drains first; the runtime's pools, JWKS timers and verifier threads close after it. */
async function closeAll(timeoutMs: number): Promise<void> {
  await plane?.close(timeoutMs);
  await runtime?.close(timeoutMs);
}
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

async function stop(timeoutMs: number): Promise<void> {
  // A stop can arrive while the data plane is still starting: let it finish so its socket gets closed.
  await starting.catch(() => undefined);
  if (countersTimer) clearInterval(countersTimer);
  countersTimer = null;
  if (plane) postCounters(0);
  await closeAll(timeoutMs);
  post({ type: 'stopped' });
  // With the port closed and the data plane closed, nothing is left on the loop and the thread ends.
  port.close();
}

function reload(id: number, config: WorkerStartData['config'], generation: number): void {
  try {
    if (!plane) throw new Error('data plane not started');
    plane.reload(compileConfig(config, generation));
    post({ type: 'reloaded', id, ok: true, generation });
  } catch (err) {
    logger.error({ err, generation }, 'reload failed in worker; previous config keeps serving');
    post({ type: 'reloaded', id, ok: false, generation: plane?.generation ?? -1, message: String(err) });
  }
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'counters':
      postCounters(message.id);
      break;
    case 'reload':
      reload(message.id, message.config, message.generation);
      break;
    case 'stop':
      stop(message.timeoutMs).catch(crash);
      break;
    case 'crash':
      if (data.testHooks)
        setImmediate(() => {
          throw new Error('crash requested by test hook');
        });
      break;
  }
});

async function start(): Promise<void> {
  const compiled = compileConfig(data.config, data.generation);
  const target = compiled.gateway.access_log;
  const accessLog = target === null ? null : createAccessLog(target, { workerId: data.workerId });
  runtime = createThreadRuntime(compiled.gateway, { logger });
  const created = await createDataPlane(compiled, {
    runtime,
    listenPorts: data.listenPorts,
    primary: data.workerId === 0,
    version: packageVersion(),
    ticketKeys: data.ticketKeys ? Buffer.from(data.ticketKeys) : null,
    accessLog,
    authorizerPort: data.authorizerPort,
  });
  plane = created;
  await created.listen();
  countersTimer = setInterval(() => postCounters(0), COUNTERS_INTERVAL_MS);
  countersTimer.unref();
  post({
    type: 'ready',
    ports: [...created.ports],
    authorizerPort: created.authorizerPort,
    info: created.info,
    generation: created.generation,
  });
}

const starting = start();
starting.catch((err: unknown) => {
  logger.error({ err }, 'worker failed to start');
  post({ type: 'startFailed', message: err instanceof Error ? err.message : String(err) });
  const exit = (): void => {
    port.close();
  };
  closeAll(0).then(exit, exit);
});
