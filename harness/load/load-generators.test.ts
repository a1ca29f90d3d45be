import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
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

  it('makes exactly rate x duration calls for a whole duration, whatever the clock reads at the start', async () => {
    // At this start reading, (start + 30) - start is 30.000000000058208: an end computed from two
    // clock readings would invent a 31st call.
    const START = 524259.17586583825;
    const realNow = performance.now.bind(performance);
    const t0 = realNow();
    let reads = 0;
    const clock = vi
      .spyOn(performance, 'now')
      .mockImplementation(() => (reads++ === 0 ? START : START + (realNow() - t0)));
    try {
      const summary = await runConstantArrivalRate(
        { ratePerSec: 1000, durationMs: 30, maxInFlight: 100 },
        async () => undefined,
      );
      expect(summary).toMatchObject({ due: 30, started: 30, dropped: 0 });
    } finally {
      clock.mockRestore();
    }
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
        while (performance.now() < until) {
          /* simulated stall */
        }
      }
    });
    expect(Math.max(...lateness)).toBeGreaterThanOrEqual(60);
  });

  it('stops at the duration even when the call count is not reached', async () => {
    const started = performance.now();
    const summary = await runConstantArrivalRate(
      { ratePerSec: 100, durationMs: 300, calls: 10_000, maxInFlight: 10 },
      async () => undefined,
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(summary.started).toBeGreaterThanOrEqual(25);
    expect(summary.started).toBeLessThanOrEqual(31);
  });

  it('accounts for every call that fell due before the end, even when the timer wakes after the end', async () => {
    // Call 45 blocks the event loop past the end (45 x 10 ms + 200 ms > 500 ms): calls 46..49
    // fell due meanwhile. They must be started or counted as dropped, not skipped.
    const ratePerSec = 100;
    const durationMs = 500;
    const intendedBeforeEnd = Math.ceil((durationMs * ratePerSec) / 1000);
    const summary = await runConstantArrivalRate({ ratePerSec, durationMs, maxInFlight: 1_000 }, async (i) => {
      if (i === 45) {
        const until = performance.now() + 200;
        while (performance.now() < until) {
          /* simulated stall */
        }
      }
    });
    expect(summary.started + summary.dropped).toBe(intendedBeforeEnd);
    expect(summary.started).toBe(intendedBeforeEnd);
  });

  it('counts the calls due at the end as dropped when the in-flight limit is reached', async () => {
    const summary = await runConstantArrivalRate({ ratePerSec: 200, durationMs: 300, maxInFlight: 3 }, () =>
      sleep(1_000),
    );
    expect(summary).toMatchObject({ started: 3, dropped: 57 });
  });

  it('records how late each started call was started against its intended time', async () => {
    // Call 2 blocks the event loop for 100 ms: the calls due meanwhile start up to ~100 ms late.
    const summary = await runConstantArrivalRate({ ratePerSec: 100, calls: 20, maxInFlight: 100 }, async (i) => {
      if (i === 2) {
        const until = performance.now() + 100;
        while (performance.now() < until) {
          /* simulated stall */
        }
      }
    });
    expect(summary.startLateness?.totalCount).toBe(20);
    expect(summary.startLateness!.maxValue).toBeGreaterThanOrEqual(60_000);
    expect(summary.startLateness!.getValueAtPercentile(50)).toBeLessThan(60_000);
  });

  it('counts the calls due from the schedule, and starts or drops every one due before a stop', async () => {
    const abort = new AbortController();
    const started = performance.now();
    const summary = await runConstantArrivalRate(
      { ratePerSec: 100, durationMs: 10_000, maxInFlight: 1_000 },
      async (i) => {
        // Call 20 (due at 200 ms of the schedule) stalls past the stop, asked for 50 ms into the
        // stall: calls 21..25 fell due before it.
        if (i === 20) {
          setTimeout(() => abort.abort(), 50);
          const until = performance.now() + 100;
          while (performance.now() < until) {
            /* simulated stall */
          }
        }
      },
      abort.signal,
    );
    const stoppedAfterMs = performance.now() - started;
    expect(summary.due).toBeGreaterThanOrEqual(26);
    expect(summary.due).toBeLessThanOrEqual(Math.floor(stoppedAfterMs / 10) + 1);
    expect(summary.started + summary.dropped).toBe(summary.due);
    expect(summary.startLateness?.totalCount).toBe(summary.started);
  });

  it('returns only once every started call has settled, failed ones included', async () => {
    const settledCalls: number[] = [];
    const summary = await runConstantArrivalRate({ ratePerSec: 1000, calls: 20, maxInFlight: 100 }, async (i) => {
      // Later calls settle first, so the last call started is not the last to settle.
      await sleep(20 - i);
      settledCalls.push(i);
      if (i % 2 === 1) throw new Error(`call ${i} failed`);
    });
    expect(summary).toMatchObject({ started: 20, dropped: 0 });
    expect(settledCalls.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('leaves no listener on the stop signal, whether the run ended or was stopped', async () => {
    const ended = new AbortController();
    await runConstantArrivalRate({ ratePerSec: 1000, calls: 5, maxInFlight: 10 }, async () => undefined, ended.signal);
    expect(getEventListeners(ended.signal, 'abort')).toHaveLength(0);
    const stopped = new AbortController();
    setTimeout(() => stopped.abort(), 20);
    await runConstantArrivalRate(
      { ratePerSec: 100, durationMs: 10_000, maxInFlight: 10 },
      async () => undefined,
      stopped.signal,
    );
    expect(getEventListeners(stopped.signal, 'abort')).toHaveLength(0);
  });

  it('stops early when aborted', async () => {
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const summary = await runConstantArrivalRate(
      { ratePerSec: 100, durationMs: 10_000, maxInFlight: 10 },
      async () => undefined,
      abort.signal,
    );
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
    expect(
      validateLoadOptions({ executor: 'constant-arrival-rate', ratePerSec: -1, calls: 1.5, maxInFlight: 10 }),
    ).toEqual(['calls must be a positive integer, got 1.5', 'rate must be > 0 and at most 100000/s, got -1']);
  });
});
