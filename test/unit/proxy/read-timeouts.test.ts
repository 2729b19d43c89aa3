import { afterEach, describe, expect, it } from 'vitest';
import { ReadTimeouts, type TimedExchange } from '../../../src/proxy/read-timeouts.js';

const RESOLUTION = 10;

/** An exchange as the sweep sees it, recording when (ms after `start`, and at which sweep) it timed out. */
function exchange(readTimeoutMs: number, start: number, onTimeout?: () => void) {
  const x = {
    readTimeoutMs,
    progressAt: 0,
    sending: false,
    paused: false,
    prevTimed: null as TimedExchange | null,
    nextTimed: null as TimedExchange | null,
    firedAt: null as number | null,
    firedSweep: null as number | null,
    sweepsOf: null as ReadTimeouts | null,
    onReadTimeout() {
      x.firedAt = performance.now() - start;
      x.firedSweep = x.sweepsOf?.sweeps ?? null;
      onTimeout?.();
    },
  };
  return x;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the read-timeout sweep', () => {
  let timeouts: ReadTimeouts;
  afterEach(() => timeouts.close());

  /**
   * Resolves once `n` more sweeps have run, or the sweep stopped (nothing left to time): progress in the tests follows
   * the sweeps, not a busy machine's clock.
   */
  async function sweepsPass(n: number): Promise<void> {
    const target = timeouts.sweeps + n;
    while (timeouts.sweeps < target && timeouts.sweeping) await sleep(2);
  }

  it('ends an exchange no earlier than its read timeout, and at most two sweeps after the sweeps it needs', async () => {
    timeouts = new ReadTimeouts(RESOLUTION);
    const start = performance.now();
    const short = exchange(30, start);
    const long = exchange(80, start);
    for (const x of [short, long]) {
      x.sweepsOf = timeouts;
      timeouts.watch(x);
    }
    const watchedAt = timeouts.sweeps;
    await sweepsPass(12);
    expect(short.firedAt).toBeGreaterThanOrEqual(30);
    expect(long.firedAt).toBeGreaterThanOrEqual(80);
    expect(short.firedSweep! - watchedAt).toBeLessThanOrEqual(30 / RESOLUTION + 2);
    expect(long.firedSweep! - watchedAt).toBeLessThanOrEqual(80 / RESOLUTION + 2);
    await sleep(3 * RESOLUTION);
    expect(timeouts.sweeping).toBe(false); // nothing left to time: the timer is not re-armed
  });

  it('counts from the last progress, and never while the request is still sent or the response is paused', async () => {
    timeouts = new ReadTimeouts(RESOLUTION);
    const start = performance.now();
    const progressing = exchange(40, start);
    const sending = exchange(20, start);
    sending.sending = true;
    const paused = exchange(20, start);
    paused.paused = true;
    for (const x of [progressing, sending, paused]) timeouts.watch(x);
    for (let i = 0; i < 12; i++) {
      await sweepsPass(2);
      progressing.progressAt = timeouts.sweeps; // progress every second sweep, well inside its 40 ms
    }
    expect([progressing.firedAt, sending.firedAt, paused.firedAt]).toEqual([null, null, null]);
    const lastProgress = performance.now() - start;
    paused.paused = false; // the client drained: timed again from this progress
    paused.progressAt = timeouts.sweeps;
    await sweepsPass(10);
    expect(paused.firedAt! - lastProgress).toBeGreaterThanOrEqual(20);
    expect(progressing.firedAt! - lastProgress).toBeGreaterThanOrEqual(40);
    expect(sending.firedAt).toBeNull();
    timeouts.unwatch(sending);
    await sleep(3 * RESOLUTION);
    expect(timeouts.sweeping).toBe(false);
  });

  it('forgets an unwatched exchange, tolerates unwatching twice, and skips a due exchange that an earlier ending unwatched', async () => {
    timeouts = new ReadTimeouts(RESOLUTION);
    const start = performance.now();
    const gone = exchange(20, start);
    const victim = exchange(20, start);
    const killer = exchange(20, start, () => timeouts.unwatch(victim));
    timeouts.watch(victim);
    timeouts.watch(gone);
    timeouts.watch(killer);
    timeouts.unwatch(gone);
    timeouts.unwatch(gone);
    await sweepsPass(4);
    await sleep(3 * RESOLUTION);
    expect(gone.firedAt).toBeNull();
    expect(killer.firedAt).not.toBeNull();
    // Both were due in the same sweep; ending the first unwatched the other, which is then not ended a second time.
    expect(victim.firedAt).toBeNull();
    expect(timeouts.sweeping).toBe(false);
  });

  it('re-arms the one timer when work arrives after an idle spell, and stops for good once closed', async () => {
    timeouts = new ReadTimeouts(RESOLUTION);
    const start = performance.now();
    const first = exchange(10, start);
    timeouts.watch(first);
    await sweepsPass(3);
    await sleep(3 * RESOLUTION);
    expect(first.firedAt).not.toBeNull();
    expect(timeouts.sweeping).toBe(false);
    const second = exchange(10, start);
    timeouts.watch(second);
    expect(timeouts.sweeping).toBe(true);
    await sweepsPass(3);
    expect(second.firedAt).not.toBeNull();
    timeouts.close();
    const third = exchange(10, start);
    timeouts.watch(third);
    await sleep(40);
    expect(third.firedAt).toBeNull();
    expect(timeouts.sweeping).toBe(false);
  });
});
