// Kong's read_timeout for proxied exchanges, kept by one sweep per worker instead of undici's timer per request.
//
// undici times headers and body with its "fast timers": an object per request that stays in undici's list until the
// list's next tick, up to half a second after the request ended. At thousands of requests a second those objects
// outlive one or two young-generation collections: they made up most of what each scavenge copied (about 150 KB at
// 9,500 req/s) and most of what it promoted to the old generation, where they wait for a full collection. Here an
// exchange is a node of an intrusive list that its handler already is; a progress event stamps it with a counter, and
// one timer, armed only while exchanges are in flight, sweeps the list.

/** How often the sweep runs while exchanges are in flight: a read timeout fires within two of these after it is due. */
export const READ_TIMEOUT_RESOLUTION_MS = 50;

/** One upstream exchange as the sweep sees it (ProxyStreamHandler implements it). */
export interface TimedExchange {
  /** The service's read_timeout (ms). */
  readonly readTimeoutMs: number;
  /** The sweep count at the exchange's last progress (ReadTimeouts.sweeps). */
  progressAt: number;
  /** The request body is still being sent: the upload's own pace decides, as undici's headers timer did. */
  sending: boolean;
  /** The client's backpressure paused the response: the upstream is not what is slow. */
  paused: boolean;
  prevTimed: TimedExchange | null;
  nextTimed: TimedExchange | null;
  /** The exchange ran past its read timeout: end it (a 504 when no response has started). */
  onReadTimeout(): void;
}

export class ReadTimeouts {
  /**
   * Sweeps so far: a progress stamp is this number, so an event reads no clock. A stamp taken just before a sweep
   * counts that sweep, so only the sweeps after the next one are whole intervals: an exchange is due when
   * (sweeps − progressAt − 1) × resolution ≥ its read timeout, never before the time has passed.
   */
  sweeps = 0;
  private head: TimedExchange | null = null;
  private timer: NodeJS.Timeout | null = null;
  private armed = false;
  private closed = false;
  /** Exchanges found due in one sweep, ended after the walk (ending one may unwatch others). Reused. */
  private readonly due: TimedExchange[] = [];

  constructor(private readonly resolutionMs = READ_TIMEOUT_RESOLUTION_MS) {}

  /** Starts timing an exchange from now. */
  watch(x: TimedExchange): void {
    x.progressAt = this.sweeps;
    x.prevTimed = null;
    x.nextTimed = this.head;
    if (this.head !== null) this.head.prevTimed = x;
    this.head = x;
    this.arm();
  }

  /** Stops timing an exchange; false (and nothing done) when it was not watched. */
  unwatch(x: TimedExchange): boolean {
    const { prevTimed, nextTimed } = x;
    // Only the head has no predecessor: anything else without one is not in the list.
    if (prevTimed !== null) prevTimed.nextTimed = nextTimed;
    else if (this.head === x) this.head = nextTimed;
    else return false;
    if (nextTimed !== null) nextTimed.prevTimed = prevTimed;
    x.prevTimed = null;
    x.nextTimed = null;
    return true;
  }

  /** Whether the sweep timer is armed: only while some exchange is watched (an idle worker wakes for nothing). */
  get sweeping(): boolean {
    return this.armed;
  }

  close(): void {
    this.closed = true;
    this.armed = false;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private arm(): void {
    if (this.armed || this.closed) return;
    this.armed = true;
    // One Timeout for the worker's life, re-armed with refresh(): arming allocates nothing.
    if (this.timer === null) {
      this.timer = setTimeout(this.sweep, this.resolutionMs);
      this.timer.unref();
    } else this.timer.refresh();
  }

  private readonly sweep = (): void => {
    this.armed = false;
    if (this.closed) return;
    const sweeps = ++this.sweeps;
    const due = this.due;
    for (let x = this.head; x !== null; x = x.nextTimed) {
      if (x.sending || x.paused) continue;
      if ((sweeps - x.progressAt - 1) * this.resolutionMs >= x.readTimeoutMs) due.push(x);
    }
    for (let i = 0; i < due.length; i++) {
      const x = due[i]!;
      // Ending an earlier one may have ended this one too (and unwatched it): then it is no longer due.
      if (this.unwatch(x)) x.onReadTimeout();
    }
    due.length = 0;
    if (this.head !== null) this.arm();
  };
}
