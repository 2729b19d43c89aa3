// The data plane's access log: one pino-format JSON line per request, written by each worker straight to its own appender.
import { performance } from 'node:perf_hooks';
import { createAppender } from './access-log-appender.js';
import { AUTH_REASON_NAMES, type AuthDecision } from '../auth/types.js';
import type { CompiledRoute } from '../config/types.js';

/** JSON text of each config entity's logged name, one cache per access log (a new config generation has new objects). */
type QuotedNames = WeakMap<object, string>;

/**
 * The per-request facts the pipeline fills in while it serves a request. Allocated only when the access
 * log is on (`AccessLog.record`); with it off the writer's `access` stays null and every hook below is one null check.
 */
export class AccessRecord {
  /** performance.now() when the request reached the data plane. */
  readonly startedAt = performance.now();
  // The next five hold JSON text (a quoted string, or null), quoted once per config entity rather than per line.
  route = 'null';
  service = 'null';
  consumer = 'null';
  credential = 'null';
  /** The jwt stage's reason (`"ok"`, `"expired"`, …); null when no jwt plugin ran. */
  auth = 'null';
  /** performance.now() when the request was handed to the upstream pool; 0 when it never was. */
  upstreamStartAt = 0;
  /** performance.now() when the upstream's response head arrived; 0 when none did. */
  upstreamHeadersAt = 0;
  upstreamStatus = 0;
  bytesOut = 0;

  constructor(
    readonly method: string,
    readonly path: string,
    /** The access log's name cache, shared by its records. */
    readonly names: QuotedNames,
  ) {}
}

const QUOTED_REASONS: readonly string[] = AUTH_REASON_NAMES.map((n) => JSON.stringify(n));
/** JSON text of an entity's logged name, quoted once per entity object and access log. */
function quoted(names: QuotedNames, entity: object, text: string | null | undefined): string {
  let q = names.get(entity);
  if (q === undefined) {
    q = text === null || text === undefined ? 'null' : JSON.stringify(text);
    names.set(entity, q);
  }
  return q;
}
const QUOTED_METHODS: ReadonlyMap<string, string> = new Map(
  ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].map((m) => [m, `"${m}"`]),
);

/** Records the matched route and its service (name, else id). */
export function noteAccessRoute(record: AccessRecord, route: CompiledRoute): void {
  record.route = quoted(record.names, route.entity, route.entity.name ?? route.entity.id);
  const service = route.service;
  if (service !== null) record.service = quoted(record.names, service.entity, service.entity.name ?? service.entity.id);
}

/** Records the jwt stage's decision: its reason, and the consumer and credential key it allowed. */
export function noteAccessAuth(record: AccessRecord, decision: AuthDecision): void {
  record.auth = QUOTED_REASONS[decision.reason] ?? 'null';
  if (decision.kind === 'allow') {
    record.consumer = quoted(record.names, decision.consumer.entity, decision.consumer.entity.id);
    const credential = decision.credential;
    if (credential !== null) record.credential = quoted(record.names, credential.entity, credential.entity.key);
  }
}

/** What the access log reads of a finished response (the response writer). */
export interface AccessResponse {
  readonly requestId: string;
  readonly status: number;
  readonly access: AccessRecord | null;
  /** 'authorizer' for authorizer_listen answers: their line says so. */
  readonly mode?: 'proxy' | 'authorizer';
}

export interface AccessLog {
  /** A new request's record, tied to this log's name cache. */
  record(method: string, path: string): AccessRecord;
  /** Appends the line of one finished request. `bytesIn` is the request body bytes received. */
  write(response: AccessResponse, bytesIn: number): void;
  /** Lines dropped because the destination could not keep up (its buffer was full). */
  readonly dropped: number;
  /** Writes what is buffered now (tests, and before a re-open). */
  flush(): Promise<void>;
  /** Re-opens a file destination (log rotation on SIGHUP); no-op for stdout. */
  reopen(): void;
  /** Flushes what is buffered and closes the destination. */
  close(): Promise<void>;
}

/** `gateway.access_log` after validation: null (off), `"stdout"`, or a file path. */
export type AccessLogTarget = string | null;

export interface AccessLogOptions {
  /** Written as `"worker"` on each line, as the gateway's own worker log lines are. */
  workerId: number;
  /** Buffered bytes beyond which lines are dropped (and counted) rather than letting memory grow. */
  maxBufferBytes?: number;
  /** Buffered bytes before a write is issued. */
  minWriteBytes?: number;
  /** How long a line may wait in the buffer, ms. */
  flushIntervalMs?: number;
}

const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;
const DEFAULT_MIN_WRITE = 16 * 1024;
const DEFAULT_FLUSH_MS = 200;

/** What follows the whole milliseconds of a duration in microseconds, by its last three digits: '' for 0, '.12' for 120. */
const MS_FRACTIONS: readonly string[] = Array.from({ length: 1000 }, (_, us) =>
  us === 0 ? '' : `.${String(us).padStart(3, '0')}`.replace(/0+$/, ''),
);
/** The largest whole number of microseconds whose thousands are a small integer (a Smi, whose text V8 caches). */
const MAX_SMALL_US = 0x3fffffff;

/**
 * Milliseconds with microsecond precision as JSON number text: the same text as
 * `String(Math.round(value * 1000) / 1000)`, from integers: a fractional double's shortest text (V8's dtoa), three
 * times per line, was with the time's text the line's largest part in perf record.
 */
export function msText(value: number): string {
  const us = Math.round(value * 1000);
  if (!(us >= 0 && us <= MAX_SMALL_US)) return String(us / 1000);
  const whole = (us / 1000) | 0;
  return whole + MS_FRACTIONS[us - whole * 1000]!;
}

export function createAccessLog(target: string, options: AccessLogOptions): AccessLog {
  const out = createAppender(target, {
    maxPendingBytes: options.maxBufferBytes ?? DEFAULT_MAX_BUFFER,
    minWriteBytes: options.minWriteBytes ?? DEFAULT_MIN_WRITE,
    flushIntervalMs: options.flushIntervalMs ?? DEFAULT_FLUSH_MS,
  });
  const prefix = `{"level":30,"time":`;
  const worker = `,"worker":${options.workerId},"request_id":"`;
  const names: QuotedNames = new WeakMap();
  // The text of the last line's time: about 20 lines share each millisecond at full load, and making a 13-digit
  // number's text was a visible part of the line in perf record.
  let lastTime = -1;
  let lastTimeText = '';
  return {
    record: (method, path) => new AccessRecord(method, path, names),
    get dropped() {
      return out.dropped;
    },
    // Built by hand in pino's line format: pino's object serializer costs several times more per line, and at
    // full load this runs once per request. Strings that a client or the config controls go through JSON.stringify.
    write(response, bytesIn) {
      const r = response.access!;
      const end = performance.now();
      const total = end - r.startedAt;
      let upstream = 'null';
      let gateway = total;
      if (r.upstreamStartAt > 0) {
        const u = (r.upstreamHeadersAt > 0 ? r.upstreamHeadersAt : end) - r.upstreamStartAt;
        upstream = msText(u);
        gateway = total - u;
      }
      const time = Date.now();
      if (time !== lastTime) {
        lastTime = time;
        lastTimeText = String(time);
      }
      out.write(
        prefix +
          lastTimeText +
          worker +
          response.requestId +
          '","method":' +
          (QUOTED_METHODS.get(r.method) ?? JSON.stringify(r.method)) +
          ',"path":' +
          JSON.stringify(r.path) +
          ',"status":' +
          (response.status === 0 ? 499 : response.status) +
          ',"route":' +
          r.route +
          ',"service":' +
          r.service +
          ',"consumer":' +
          r.consumer +
          ',"credential":' +
          r.credential +
          ',"auth":' +
          r.auth +
          ',"upstream_status":' +
          (r.upstreamStatus === 0 ? 'null' : r.upstreamStatus) +
          ',"upstream_latency_ms":' +
          upstream +
          ',"gateway_latency_ms":' +
          msText(gateway) +
          ',"latency_ms":' +
          msText(total) +
          ',"bytes_in":' +
          bytesIn +
          ',"bytes_out":' +
          r.bytesOut +
          (response.mode === 'authorizer' ? ',"mode":"authorizer","msg":"access"}\n' : ',"msg":"access"}\n'),
      );
    },
    flush: () => out.drain(),
    reopen: () => out.reopen(),
    close: () => out.close(),
  };
}
