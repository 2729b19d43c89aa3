// Engine-neutral rules for answering before the request body was read: drain it and keep the connection, or answer and linger.
//
// A client that writes its whole body before reading (Node's http client, Python requests, most SDKs) never sees
// an answer the server wrote and then closed on: its next write hits the closed socket (EPIPE), or the kernel
// resets the connection because unread body bytes were still queued (ECONNRESET) and the answer is dropped.
// So, like nginx: discard the rest of the body up to a bound, then answer on a connection that stays open; past
// the bound, answer at once, keep reading and discarding for a while (lingering close), then close.

export interface RefusalSettings {
  /** Body bytes still to come that are read and discarded before answering; beyond this, answer and linger. */
  readonly discardMaxBytes: number;
  /** Longest a lingering connection is read from after the answer (nginx `lingering_time`). */
  readonly lingeringTimeMs: number;
  /** A lingering connection silent this long is closed (nginx `lingering_timeout`). */
  readonly lingeringTimeoutMs: number;
}

export const enum RefusalPlan {
  /** No body pending (none, or all received): answer now, the connection stays usable. */
  AnswerNow,
  /** Discard the rest of the body, then answer; the connection stays usable. */
  DrainThenAnswer,
  /** Answer now with `Connection: close`, keep discarding what arrives, close when the lingering ends. */
  AnswerThenLinger,
}

/**
 * `remaining` is the body bytes still to come: declared length minus what arrived, or -1 for a chunked body of
 * unknown size (drained until it passes the bound). `framingInDoubt`: the body's end cannot be trusted.
 */
export function planRefusal(bodyPending: boolean, remaining: number, framingInDoubt: boolean, s: RefusalSettings): RefusalPlan {
  if (!bodyPending) return RefusalPlan.AnswerNow;
  if (framingInDoubt || remaining > s.discardMaxBytes) return RefusalPlan.AnswerThenLinger;
  return RefusalPlan.DrainThenAnswer;
}

/** While draining: true once the discarded bytes pass the bound (switch to answering and lingering). */
export function drainOverBound(discarded: number, s: RefusalSettings): boolean {
  return discarded > s.discardMaxBytes;
}

/**
 * Milliseconds until a lingering connection must be closed (<= 0: close now), given when lingering started and
 * when bytes last arrived, on any monotonic clock.
 */
export function lingerRemainingMs(startedAt: number, lastDataAt: number, now: number, s: RefusalSettings): number {
  return Math.min(startedAt + s.lingeringTimeMs, lastDataAt + s.lingeringTimeoutMs) - now;
}
