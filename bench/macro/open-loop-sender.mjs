// The open-loop loader's sender thread: writes each request at its own due time on a free connection, so requests arrive spread out, not in timer-tick bursts.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

// Slots of the shared control array (open-loop.mjs writes the same layout).
export const SEQ = 0; // bumped by the reader each time it frees a connection
export const WAITING = 1; // 1 while this thread waits for a free connection (the reader then wakes it)
export const STOP = 2; // set by the reader to end the run early
export const SLEEP = 3; // never changes: waiting on it is a plain sleep (the reader notifies it with STOP)
export const SENT = 4; // requests written so far
export const MAX_QUEUED = 5; // most requests ever due and waiting for a free connection
export const WRITE_ERRORS = 6;
export const CONTROL_SLOTS = 7;

/** Monotonic milliseconds, the same clock in every thread (performance.now() has a per-thread origin). */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Request i is due at start + i / rate. Node's timers cannot wait less than a millisecond, so the main thread's
 * loader used to send each millisecond's requests together (8 at once at 8k req/s, more after a late tick) and
 * every system queued them behind each other. `Atomics.wait` sleeps with microsecond resolution in this thread
 * while the main thread reads the responses. Requests are written with `fs.writeSync` on the sockets' descriptors:
 * a request is a few dozen bytes on a connection with nothing else in flight, so the write never blocks.
 */
function run({ fds, request, rate, total, buffers }) {
  const ctl = new Int32Array(buffers.ctl);
  const busy = new Int32Array(buffers.busy);
  const due = new Float64Array(buffers.due);
  const interval = 1000 / rate;
  const lags = new Float64Array(buffers.lags);
  const start = nowMs();
  parentPort.postMessage({ started: start });
  let next = 0; // requests [head, next) are due and wait for a free connection
  let head = 0;
  let cursor = 0;
  let waitedUpTo = 0; // requests below this one found every connection busy: their lag is the server's, not ours
  const freeConnection = () => {
    for (let k = 0; k < fds.length; k++) {
      const c = (cursor + k) % fds.length;
      if (Atomics.load(busy, c) === 0) {
        cursor = c + 1;
        return c;
      }
    }
    return -1;
  };
  while (head < total && Atomics.load(ctl, STOP) === 0) {
    const seq = Atomics.load(ctl, SEQ);
    const now = nowMs();
    while (next < total && start + next * interval <= now) next++;
    for (let c = head < next ? freeConnection() : -1; c >= 0; c = head < next ? freeConnection() : -1) {
      const dueAt = start + head * interval;
      due[c] = dueAt;
      Atomics.store(busy, c, 1);
      lags[head] = head < waitedUpTo ? Number.NaN : nowMs() - dueAt;
      head++;
      // Counted before the write: its answer can reach the reader, which may end the run and read SENT, before this
      // thread runs again (a failed write is counted in WRITE_ERRORS too).
      Atomics.store(ctl, SENT, head);
      try {
        fs.writeSync(fds[c], request);
      } catch {
        Atomics.add(ctl, WRITE_ERRORS, 1);
      }
    }
    if (next - head > Atomics.load(ctl, MAX_QUEUED)) Atomics.store(ctl, MAX_QUEUED, next - head);
    if (head >= total) break;
    const untilNext = next < total ? start + next * interval - nowMs() : 100;
    if (head < next) {
      // Queued: wait for the reader to free a connection (it notifies when WAITING is set) or the next due time.
      waitedUpTo = next;
      Atomics.store(ctl, WAITING, 1);
      if (freeConnection() < 0) Atomics.wait(ctl, SEQ, seq, Math.max(0, untilNext));
      Atomics.store(ctl, WAITING, 0);
    } else if (untilNext > 0) {
      Atomics.wait(ctl, SLEEP, 0, untilNext);
    }
  }
  parentPort.postMessage({ done: true });
}

if (parentPort && workerData?.fds) run(workerData);
