import { describe, expect, it } from 'vitest';
import { drainOverBound, lingerRemainingMs, planRefusal, RefusalPlan } from '../../../src/server/refusal-policy.js';

const s = { discardMaxBytes: 1000, lingeringTimeMs: 30000, lingeringTimeoutMs: 5000 };

describe('refusal policy', () => {
  it('answers at once when no body bytes are still to come', () => {
    expect(planRefusal(false, 0, false, s)).toBe(RefusalPlan.AnswerNow);
    expect(planRefusal(false, 0, true, s)).toBe(RefusalPlan.AnswerNow);
  });
  it('drains a declared body up to the bound, then answers on a kept connection', () => {
    expect(planRefusal(true, 1000, false, s)).toBe(RefusalPlan.DrainThenAnswer);
    expect(planRefusal(true, 1001, false, s)).toBe(RefusalPlan.AnswerThenLinger);
  });
  it('drains a chunked body until it passes the bound', () => {
    expect(planRefusal(true, -1, false, s)).toBe(RefusalPlan.DrainThenAnswer);
    expect(drainOverBound(1000, s)).toBe(false);
    expect(drainOverBound(1001, s)).toBe(true);
  });
  it('lingers when the framing is in doubt, whatever the size', () => {
    expect(planRefusal(true, 10, true, s)).toBe(RefusalPlan.AnswerThenLinger);
  });
  it('ends lingering after lingering_timeout of silence or lingering_time in all', () => {
    // Injected clock: started at 100, data last seen at 100.
    expect(lingerRemainingMs(100, 100, 100, s)).toBe(5000);
    expect(lingerRemainingMs(100, 100, 5100, s)).toBe(0);
    // Data keeps arriving: the total lingering_time caps it.
    expect(lingerRemainingMs(100, 29000, 29500, s)).toBe(600);
    expect(lingerRemainingMs(100, 30050, 30100, s)).toBe(0);
  });
});
