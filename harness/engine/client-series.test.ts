import { describe, expect, it } from 'vitest';
import type { ReportingInstance } from '../impl/implementation.ts';
import { LatencyRecorder } from '../observe/latency-recorder.ts';
import { clientSeriesOf } from './client-series.ts';

const RUN_START = 1_000_000;
const outcome = (index: number) => ({
  index,
  answered: 1,
  wrongResult: 0,
  timedOut: 0,
  remoteErrors: 0,
  connectionLost: 0,
  otherErrors: 0,
});

/** A client that answered `perSecond[i]` calls in second i, and whose last call was due in quarter `lastQuarter`. */
function client(name: string, perSecond: readonly number[], lastQuarter?: number): ReportingInstance {
  const latency = new LatencyRecorder({ runStartEpochMs: RUN_START });
  perSecond.forEach((count, second) => {
    for (let i = 0; i < count; i++) latency.record(1000, RUN_START + second * 1000 + i);
  });
  return {
    name,
    final: {
      latency: latency.encode(),
      ...(lastQuarter === undefined
        ? {}
        : {
            callsByStart: { intervalMs: 250, latency: latency.encode(), outcomes: [outcome(0), outcome(lastQuarter)] },
          }),
    },
  };
}

describe("each client's own series", () => {
  it('counts each client apart, empty seconds included, up to the end of the load', () => {
    const series = clientSeriesOf(
      [client('client-1', [10, 10, 10, 10]), client('client-2', [10, 0, 0, 10], 15)],
      { executor: 'constant-arrival-rate', ratePerSec: 10, durationMs: 5_000, maxInFlight: 10 },
      5_000,
    );
    expect(series.map((s) => s.client)).toEqual(['client-1', 'client-2']);
    expect(series[1]!.series.map((p) => p.count)).toEqual([10, 0, 0, 10, 0]);
    expect(series[0]!.series.map((p) => p.throughputPerSec)).toEqual([10, 10, 10, 10, 0]);
    expect(series[1]).toMatchObject({ offeredPerSec: 10, lastCallStartMs: 4_000 });
    expect(series[0]!.lastCallStartMs).toBeUndefined();
  });

  it('leaves out a client that did not report, and offers no rate for a closed loop', () => {
    const series = clientSeriesOf(
      [client('client-1', [5]), { name: 'client-2', final: undefined }],
      { executor: 'closed-loop', concurrency: 2, durationMs: 1_000 },
      1_000,
    );
    expect(series.map((s) => s.client)).toEqual(['client-1']);
    expect(series[0]!.offeredPerSec).toBeUndefined();
  });
});
