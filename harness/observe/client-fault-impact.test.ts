import { describe, expect, it } from 'vitest';
import type { FaultRecord, IntervalPoint } from '../model/result-schema.ts';
import { worstOf } from './client-fault-impact.ts';
import { faultImpacts } from './fault-impact.ts';

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
const sum = (...all: (readonly number[])[]) => all[0]!.map((_, i) => all.reduce((total, each) => total + each[i]!, 0));
const killNode: FaultRecord = {
  id: 'fault-1',
  kind: 'kill-node',
  target: 'node-2',
  description: 'kill node-2',
  trigger: 'at 3.0 s',
  fired: true,
  startMs: 3_000,
  endMs: 13_000,
};

// 10 calls/s per client; client-3's connection was on the killed node: silent for the whole fault.
const answering = [0, 20, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10];
const onKilledNode = [0, 20, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 10];

function impactOf(fault: FaultRecord, clientCounts: readonly (readonly number[])[], offeredPerClient?: number) {
  const [impact] = faultImpacts({
    faults: [fault],
    series: series(sum(...clientCounts)),
    intervalMs: 1000,
    events: [],
    timeoutMs: 2000,
    offeredPerSec: offeredPerClient === undefined ? undefined : offeredPerClient * clientCounts.length,
    clients: clientCounts.map((counts, i) => ({
      client: `client-${i + 1}`,
      series: series(counts),
      ...(offeredPerClient === undefined ? {} : { offeredPerSec: offeredPerClient }),
    })),
  });
  return impact!;
}

describe('fault impact per client', () => {
  it('finds the client that answered nothing for the whole fault while the others kept answering', () => {
    const impact = impactOf(killNode, [answering, answering, onKilledNode]);
    // All clients together: answered calls right after the kill, so no visible outage.
    expect(impact.unavailabilityMs).toBe(0);
    const silent = impact.clients?.find((c) => c.client === 'client-3');
    expect(silent?.unavailabilityMs).toBe(11_000);
    expect(impact.worstUnavailability).toEqual({ client: 'client-3', ms: 11_000 });
    expect(impact.clients?.find((c) => c.client === 'client-1')?.unavailabilityMs).toBe(0);
    // Recovered in the interval starting at 14 s: 1 s after the 13 s heal, at that interval's end.
    expect(impact.worstRecovery).toEqual({ client: 'client-3', ms: 2_000 });
  });

  it('names a client that never answered again as the worst, whatever the others measured', () => {
    const neverBack = [0, 20, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const impact = impactOf(killNode, [answering, neverBack, answering]);
    expect(impact.worstUnavailability).toEqual({ client: 'client-2', ms: null });
    expect(impact.worstRecovery).toEqual({ client: 'client-2', ms: null });
  });

  it('does not judge a client whose calls were all due before the fault began', () => {
    const [impact] = faultImpacts({
      faults: [killNode],
      series: series(answering),
      intervalMs: 1000,
      events: [],
      timeoutMs: 2000,
      clients: [
        { client: 'client-1', series: series(answering), lastCallStartMs: 17_000 },
        { client: 'client-2', series: series([0, 20, 10, 0]), lastCallStartMs: 2_750 },
      ],
    });
    expect(impact?.clients?.map((c) => c.client)).toEqual(['client-1']);
    expect(impact?.worstUnavailability).toEqual({ client: 'client-1', ms: 0 });
  });

  it('judges recovery against the offered rate when the fault came in the first second', () => {
    const early: FaultRecord = { ...killNode, startMs: 500, endMs: 2_500 };
    const impact = impactOf(
      early,
      [
        [5, 0, 0, 10, 10],
        [5, 10, 10, 10, 10],
      ],
      10,
    );
    expect(impact.baseline).toBe('offered-load');
    expect(impact.baselinePerSec).toBe(20);
    expect(impact.recoveryMs).toBe(1_500);
    expect(impact.worstRecovery).toEqual({ client: 'client-1', ms: 1_500 });
    expect(impact.clients?.every((c) => c.baseline === 'offered-load' && c.baselinePerSec === 10)).toBe(true);
  });

  it('says there is no baseline, instead of "never recovered", for a closed loop faulted in its first second', () => {
    const early: FaultRecord = { ...killNode, startMs: 500, endMs: 2_500 };
    const impact = impactOf(early, [[5, 0, 0, 10, 10]]);
    expect(impact.baseline).toBe('none');
    expect(impact.recoveryMs).toBeNull();
    expect(impact.worstRecovery).toBeUndefined();
    expect(impact.worstUnavailability).toEqual({ client: 'client-1', ms: 2_500 });
  });

  it('ranks never before any time, the longest time before shorter ones', () => {
    expect(worstOf([])).toBeUndefined();
    expect(
      worstOf([
        { client: 'a', ms: 5 },
        { client: 'b', ms: 9 },
        { client: 'c', ms: 9 },
      ]),
    ).toEqual({
      client: 'b',
      ms: 9,
    });
    expect(
      worstOf([
        { client: 'a', ms: 5 },
        { client: 'b', ms: null },
        { client: 'c', ms: null },
      ]),
    ).toEqual({
      client: 'b',
      ms: null,
    });
  });
});
