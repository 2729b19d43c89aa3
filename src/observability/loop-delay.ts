// The worker's event-loop delay gauge: sampled every millisecond only while the worker has traffic, so an idle worker pays nothing for it.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

/** How often the monitor looks for traffic; also how long it keeps sampling after the last request. */
export const LOOP_DELAY_CHECK_MS = 1000;
/** The sampling timer's period while active: a stall longer than this is seen by (nearly) every sample it covers. */
const RESOLUTION_MS = 1;

export interface LoopDelaySample {
  p99Us: number;
  maxUs: number;
}

export interface LoopDelayMonitor {
  /** p99 and max delay (µs) since the previous read, then reset; null when nothing was sampled (no traffic). */
  read(): LoopDelaySample | null;
  /** Whether the 1 ms sampler is running now. */
  readonly sampling: boolean;
  close(): void;
}

export interface LoopDelayTraffic {
  /** Any count that grows with each request (requests started, responses sent). */
  activity(): number;
  /** Requests in flight: a long upload or stream keeps the sampler on without new requests. */
  inFlight(): number;
}

/**
 * A 1 ms `monitorEventLoopDelay` costs about 2% of a core on an idle worker (a thousand timer
 * wake-ups a second). Instead, a check every LOOP_DELAY_CHECK_MS (unref'd: it never holds the
 * process open) turns the sampler on when requests arrived or are in flight since the previous
 * check, and off after a check with neither. The gauge therefore describes the loop while it
 * served traffic; it misses at most the first second of a burst after an idle spell.
 */
export function createLoopDelayMonitor(traffic: LoopDelayTraffic, checkMs = LOOP_DELAY_CHECK_MS): LoopDelayMonitor {
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  let sampling = false;
  let seen = traffic.activity();
  const check = (): void => {
    const now = traffic.activity();
    const busy = now !== seen || traffic.inFlight() > 0;
    seen = now;
    if (busy && !sampling) histogram.enable();
    else if (!busy && sampling) histogram.disable();
    sampling = busy;
  };
  const timer = setInterval(check, checkMs);
  timer.unref();
  return {
    get sampling() {
      return sampling;
    },
    read() {
      if (histogram.count === 0) return null;
      const sample = { p99Us: Math.round(histogram.percentile(99) / 1000), maxUs: Math.round(histogram.max / 1000) };
      histogram.reset();
      return sample;
    },
    close() {
      clearInterval(timer);
      histogram.disable();
      sampling = false;
    },
  };
}
