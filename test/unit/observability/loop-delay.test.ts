import { describe, expect, it } from 'vitest';
import { createLoopDelayMonitor } from '../../../src/observability/loop-delay.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function block(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    /* hold the loop */
  }
}

describe('event-loop delay monitor', () => {
  it('does not sample while the worker has no traffic', async () => {
    const monitor = createLoopDelayMonitor({ activity: () => 0, inFlight: () => 0 }, 20);
    try {
      await sleep(80);
      block(10);
      await sleep(30);
      expect(monitor.sampling).toBe(false);
      expect(monitor.read()).toBeNull();
    } finally {
      monitor.close();
    }
  });

  it('samples once requests arrive and reports p99 and max since the previous read', async () => {
    let requests = 0;
    const monitor = createLoopDelayMonitor({ activity: () => requests, inFlight: () => (requests > 0 ? 1 : 0) }, 20);
    try {
      requests++;
      await sleep(60);
      expect(monitor.sampling).toBe(true);
      monitor.read();
      block(50);
      await sleep(20);
      const sample = monitor.read();
      expect(sample).not.toBeNull();
      expect(sample!.maxUs).toBeGreaterThan(0);
      expect(sample!.maxUs).toBeGreaterThanOrEqual(sample!.p99Us);
    } finally {
      monitor.close();
    }
  });

  it('keeps sampling while a request is in flight and stops after a quiet check', async () => {
    let inFlight = 1;
    const monitor = createLoopDelayMonitor({ activity: () => 7, inFlight: () => inFlight }, 20);
    try {
      await sleep(50);
      expect(monitor.sampling).toBe(true);
      inFlight = 0;
      await sleep(70);
      expect(monitor.sampling).toBe(false);
    } finally {
      monitor.close();
    }
  });
});
