import { describe, expect, it } from 'vitest';
import { runClosedLoop } from './closed-loop.ts';
import { runConstantArrivalRate } from './constant-arrival-rate.ts';
import { validateLoadOptions } from './load-options.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('constant-arrival-rate executor', { timeout: 10_000 }, () => {
  it('starts exactly the requested number of calls, spaced 1/rate apart in intended time', async () => {
    const intended: number[] = [];
    const summary = await runConstantArrivalRate({ ratePerSec: 1000, calls: 50, maxInFlight: 100 }, async (_i, at) => {
      intended.push(at);
    });
    expect(summary).toMatchObject({ started: 50, dropped: 0 });
    const gaps = intended.slice(1).map((t, i) => t - intended[i]!);
    for (const gap of gaps) expect(gap).toBeCloseTo(1, 6);
  });

  it('keeps sending while calls stall, and drops (counting) what exceeds the in-flight limit', async () => {
    const summary = await runConstantArrivalRate({ ratePerSec: 200, calls: 40, maxInFlight: 5 }, () => sleep(1000));
    expect(summary.started).toBe(5);
    expect(summary.dropped).toBe(35);
  });

  it('hands stalled calls their intended start, so their latency includes the wait', async () => {
    // A call that blocks the event loop for 100 ms delays the calls due meanwhile; their
    // intended starts stay on schedule, so latency measured from them shows the stall.
    const lateness: number[] = [];
    await runConstantArrivalRate({ ratePerSec: 100, calls: 20, maxInFlight: 100 }, async (i, at) => {
      lateness.push(performance.now() - at);
      if (i === 2) {
        const until = performance.now() + 100;
        while (performance.now() < until) { /* simulated stall */ }
      }
    });
    expect(Math.max(...lateness)).toBeGreaterThanOrEqual(60);
  });

  it('stops at the duration even when the call count is not reached', async () => {
    const started = performance.now();
    const summary = await runConstantArrivalRate({ ratePerSec: 100, durationMs: 300, calls: 10_000, maxInFlight: 10 }, async () => undefined);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(summary.started).toBeGreaterThanOrEqual(25);
    expect(summary.started).toBeLessThanOrEqual(31);
  });

  it('stops early when aborted', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const summary = await runConstantArrivalRate({ ratePerSec: 100, durationMs: 10_000, maxInFlight: 10 }, async () => undefined, abort.signal);
    expect(summary.elapsedMs).toBeLessThan(1000);
  });
});

describe('closed-loop executor', { timeout: 10_000 }, () => {
  it('never has more than `concurrency` calls in flight and stops at the call count', async () => {
    let inFlight = 0;
    let maxSeen = 0;
    const summary = await runClosedLoop({ concurrency: 4, calls: 40 }, async () => {
      inFlight++;
      maxSeen = Math.max(maxSeen, inFlight);
      await sleep(2);
      inFlight--;
    });
    expect(summary.started).toBe(40);
    expect(maxSeen).toBe(4);
  });

  it('keeps going after a failed call', async () => {
    const summary = await runClosedLoop({ concurrency: 1, calls: 3 }, async () => {
      throw new Error('boom');
    });
    expect(summary.started).toBe(3);
  });
});

describe('load options', () => {
  it('refuses unbounded or nonsensical load, listing every problem at once', () => {
    expect(validateLoadOptions({ executor: 'closed-loop', concurrency: 0 })).toEqual([
      'load needs a duration or a call count (or both)',
      'concurrency must be an integer from 1 to 10000, got 0',
    ]);
    expect(validateLoadOptions({ executor: 'constant-arrival-rate', ratePerSec: -1, calls: 1.5, maxInFlight: 10 })).toEqual([
      'calls must be a positive integer, got 1.5',
      'rate must be > 0 and at most 100000/s, got -1',
    ]);
  });
});
