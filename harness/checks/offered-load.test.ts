import { describe, expect, it } from 'vitest';
import { cleanRunInput } from './test/check-input-fixture.ts';
import { createLatencyHistogram, encodeHistogram } from '../observe/histogram.ts';
import { measureOfferedLoad, offeredLoadDelivered, offeredLoadWarning, withStartLateness } from './offered-load.ts';

const openLoop = { executor: 'constant-arrival-rate', ratePerSec: 100, durationMs: 5_000, maxInFlight: 1_000 } as const;

describe('offered load', () => {
  it('measures the rate of started calls over the time the generators ran, all clients together', () => {
    const offered = measureOfferedLoad(
      openLoop,
      2,
      [
        { due: 500, dropped: 0, scheduleMs: 5_000 },
        { due: 500, dropped: 10, scheduleMs: 5_002 },
      ],
      false,
    );
    expect(offered).toMatchObject({ targetPerSec: 200, due: 1_000, started: 990, dropped: 10, droppedShare: 0.01 });
    expect(offered.achievedPerSec).toBeCloseTo(990 / 5.002, 6);
  });

  it('measures a run bounded by a call count over the span its calls were due in', () => {
    // 50 calls at 1000/s: the last is due at 49 ms and the generator stops right after it.
    const offered = measureOfferedLoad(
      { executor: 'constant-arrival-rate', ratePerSec: 1_000, calls: 50, maxInFlight: 100 },
      1,
      [{ due: 50, dropped: 0, scheduleMs: 49.2 }],
      false,
    );
    expect(offered.achievedPerSec).toBeCloseTo(1_000, 6);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered })).passed).toBe(true);
  });

  it('passes when the load asked for was offered, with no warning', () => {
    const offered = measureOfferedLoad(openLoop, 1, [{ due: 500, dropped: 0, scheduleMs: 5_003 }], false);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered })).passed).toBe(true);
    expect(offeredLoadWarning(offered)).toBeUndefined();
  });

  it('fails when more than 1 % of the due calls were dropped, as with --rate 50000', () => {
    const offered = measureOfferedLoad(
      { ...openLoop, ratePerSec: 50_000 },
      1,
      [{ due: 100_000, dropped: 96_000, scheduleMs: 2_000 }],
      false,
    );
    const result = offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered }));
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('achieved 2000/s');
    expect(result.actual).toContain('96 %');
    expect(offeredLoadWarning(offered)).toMatch(/^offered load not delivered: .*does not pass/);
  });

  it('fails when the generator ran far longer than its calls needed (achieved rate under 95 % of target)', () => {
    const offered = measureOfferedLoad(openLoop, 1, [{ due: 500, dropped: 0, scheduleMs: 6_000 }], false);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered })).passed).toBe(false);
  });

  it('passes a shortfall the scenario accepts, and still warns', () => {
    const offered = measureOfferedLoad(openLoop, 1, [{ due: 500, dropped: 400, scheduleMs: 5_000 }], true);
    const result = offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered }));
    expect(result.passed).toBe(true);
    expect(result.actual).toContain('accepted');
    expect(offeredLoadWarning(offered)).toContain('accepted by the scenario option acceptUndeliveredLoad');
  });

  it('fails when due calls were neither started nor dropped, even where the scenario accepts a shortfall', () => {
    // 500 due, 480 started, 5 dropped: 15 calls were skipped by the generator.
    const offered = measureOfferedLoad(openLoop, 1, [{ due: 500, started: 480, dropped: 5, scheduleMs: 5_000 }], true);
    expect(offered.unaccounted).toBe(15);
    const result = offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered }));
    expect(result.passed).toBe(false);
    expect(result.actual).toContain('unaccounted 15');
    expect(offeredLoadWarning(offered)).toContain('unaccounted 15');
  });

  it("adds the clients' start lateness, merged, to what is reported", () => {
    const a = createLatencyHistogram();
    const b = createLatencyHistogram();
    for (let i = 0; i < 99; i++) a.recordValue(100);
    b.recordValue(5_000);
    const offered = withStartLateness(
      measureOfferedLoad(
        openLoop,
        2,
        [
          { due: 50, dropped: 0, scheduleMs: 500 },
          { due: 50, dropped: 0, scheduleMs: 500 },
        ],
        false,
      ),
      [encodeHistogram(a), encodeHistogram(b)],
    );
    expect(offered.startLateness).toMatchObject({ count: 100, p50: 0.1 });
    expect(offered.startLateness!.max).toBeCloseTo(5, 1);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: offered })).actual).toMatch(
      /started late by p50 0\.10 ms p99 0\.10 ms max 5\.00 ms/,
    );
  });

  it('fails when no client reported its load (not measured is not passed)', () => {
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: undefined })).passed).toBe(false);
  });

  it('checks a closed loop only for dropped calls, having no target rate', () => {
    const closed = { executor: 'closed-loop', concurrency: 16, durationMs: 5_000 } as const;
    const clean = measureOfferedLoad(closed, 1, [{ due: 9_000, dropped: 0, scheduleMs: 5_000 }], false);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: clean })).passed).toBe(true);
    const dropped = measureOfferedLoad(closed, 1, [{ due: 9_000, dropped: 200, scheduleMs: 5_000 }], false);
    expect(offeredLoadDelivered.evaluate(cleanRunInput({ offeredLoad: dropped })).passed).toBe(false);
  });
});
