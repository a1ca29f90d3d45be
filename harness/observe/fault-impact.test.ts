import { describe, expect, it } from 'vitest';
import type { FaultRecord, IntervalPoint } from '../model/result-schema.ts';
import { baselineRate, faultImpacts } from './fault-impact.ts';

const point = (tMs: number, count: number): IntervalPoint => ({
  tMs,
  count,
  throughputPerSec: count,
  p50: 1,
  p90: 1,
  p99: 1,
  max: 1,
});
const series = (counts: readonly number[]): IntervalPoint[] => counts.map((count, index) => point(index * 1000, count));
const pause: FaultRecord = {
  id: 'fault-1',
  kind: 'pause-node',
  target: 'node-2',
  description: 'pause node-2',
  trigger: 'at 5.0 s',
  fired: true,
  startMs: 5_000,
  endMs: 10_000,
};

// 30 calls/s offered; the first interval that answers also answers the calls queued during warm-up (measured shape).
const beforeFault = [0, 60, 22, 35, 33];

describe('fault impact', () => {
  it('takes the rate before the fault from the intervals after the warm-up backlog', () => {
    expect(baselineRate(series(beforeFault), 1000, 5_000)).toBe(30);
  });

  it('measures recovery from the heal to the first interval back within 10 % of that rate', () => {
    const [impact] = faultImpacts({
      faults: [pause],
      series: series([...beforeFault, 0, 0, 20, 20, 20, 20, 20, 27, 30]),
      intervalMs: 1000,
      events: [],
      timeoutMs: 3000,
    });
    expect(impact?.unavailabilityMs).toBe(2_000);
    // 10 s heal; the interval starting at 12 s answers 27/s (0.9 x 30): recovered at its end.
    expect(impact?.recoveryMs).toBe(3_000);
  });

  it('reports no recovery when the rate stays below 90 % of the rate before the fault', () => {
    const [impact] = faultImpacts({
      faults: [pause],
      series: series([...beforeFault, 0, 0, 20, 20, 20, 20, 20, 26, 26]),
      intervalMs: 1000,
      events: [],
      timeoutMs: 3000,
    });
    expect(impact?.recoveryMs).toBeNull();
  });
});
