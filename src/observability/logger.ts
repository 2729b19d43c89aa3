// Creates the gateway's pino loggers: JSON lines to stdout, and the worker-thread relay to the main thread's logger.
import pino from 'pino';
import type { LOG_LEVELS } from '../config/fields.js';

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level?: string;
  /** Where JSON lines go; stdout (synchronously) by default. */
  destination?: pino.DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): pino.Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino({ level: options.level ?? 'info', name: options.name ?? 'portcullis', base: { pid: process.pid } }, destination);
}

/** A pino logger for a worker thread whose lines are handed to `post` (the main thread re-emits them). */
export function createWorkerLogger(level: string, workerId: number, post: (line: string) => void): pino.Logger {
  const stream: pino.DestinationStream = { write: (line: string) => post(line) };
  return pino({ level, base: { worker: workerId } }, stream);
}

const KNOWN_LEVELS: ReadonlySet<string> = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace']);
/** Fields pino adds itself; dropped from a relayed record so they are not duplicated. */
const OWN_FIELDS = ['level', 'time', 'msg', 'pid', 'hostname', 'name'];

/** Re-emits one JSON line written by a worker logger through the main logger (keeps one ordered stream). */
export function relayWorkerLog(logger: pino.Logger, line: string): void {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    logger.warn({ line }, 'unparseable log line from worker');
    return;
  }
  const label = pino.levels.labels[record.level as number];
  const level = label && KNOWN_LEVELS.has(label) ? (label as Exclude<LogLevel, 'silent'>) : 'info';
  const msg = typeof record.msg === 'string' ? record.msg : undefined;
  for (const f of OWN_FIELDS) delete record[f];
  logger[level](record, msg);
}
