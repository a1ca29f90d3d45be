import { describe, expect, it } from 'vitest';
import {
  type FaultRecord,
  type IntervalPoint,
  type ScenarioResult,
  ScenarioResultSchema,
} from '../model/result-schema.ts';
import { faultImpacts } from '../observe/fault-impact.ts';
import { evaluateGates } from './evaluate.ts';
import { parseGate } from './parse-gate.ts';
import { makeResult } from './test/result-fixture.ts';

const series = (counts: readonly number[]): IntervalPoint[] =>
  counts.map((count, index) => ({ tMs: index * 1000, count, throughputPerSec: count, p50: 1, p90: 1, p99: 1, max: 1 }));
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

/** A quorum-leader-kill-like run: the per-client figures computed as a run computes them. */
function runWith(clientCounts: readonly (readonly number[])[], fault: FaultRecord = killNode): ScenarioResult {
  const merged = clientCounts[0]!.map((_, i) => clientCounts.reduce((total, counts) => total + counts[i]!, 0));
  const faultImpact = faultImpacts({
    faults: [fault],
    series: series(merged),
    intervalMs: 1000,
    events: [],
    timeoutMs: 2000,
    clients: clientCounts.map((counts, i) => ({ client: `client-${i + 1}`, series: series(counts) })),
  });
  const answered = merged.reduce((a, b) => a + b, 0);
  return ScenarioResultSchema.parse({
    ...makeResult(),
    faults: [fault],
    faultImpact,
    callsByStart: {
      intervalMs: 1000,
      loadDurationMs: 17_000,
      intervals: merged.map((count, i) => ({
        tMs: i * 1000,
        answered: count,
        wrongResult: 0,
        timedOut: 0,
        remoteErrors: 0,
        connectionLost: 0,
        otherErrors: 0,
      })),
    },
    counters: { ...makeResult().counters, sent: answered, answered },
  });
}

const gate = (expression: string, result: ScenarioResult) => evaluateGates(result, [parseGate(expression)])[0]!;

describe('gates on the worst client', { timeout: 10_000 }, () => {
  const silentClient = runWith([answering, answering, onKilledNode]);

  it('fails during(kill-node).unavailability.max<5s and names the client that answered nothing', () => {
    const result = gate('during(kill-node).unavailability.max<5s', silentClient);
    expect(result.passed).toBe(false);
    expect(result.actual).toBe(11_000);
    expect(result.detail).toContain('worst client: client-3');
    expect(result.detail).toMatch(/FAIL$/);
  });

  it('keeps unavailability meaning all clients together: the same run passes unavailability<5s', () => {
    expect(gate('during(kill-node).unavailability<5s', silentClient)).toMatchObject({ passed: true, actual: 0 });
    expect(gate('unavailability<5s', silentClient)).toMatchObject({ passed: true, actual: 0 });
  });

  it('passes when every client came back in time, and still names the worst', () => {
    const result = gate('during(kill).unavailability.max<5s', runWith([answering, answering, answering]));
    expect(result).toMatchObject({ passed: true, actual: 0 });
    expect(result.detail).toContain('worst client: client-1');
  });

  it('judges the worst client over the whole run and after the fault too', () => {
    expect(gate('unavailability.max<5s', silentClient)).toMatchObject({ passed: false, actual: 11_000 });
    expect(gate('unavailability.max<5s', silentClient).detail).toContain('client-3, fault-1');
    expect(gate('after(kill-node).recovery_time.max<3s', silentClient)).toMatchObject({ passed: true, actual: 2_000 });
    expect(gate('recovery_time.max<1s', silentClient)).toMatchObject({ passed: false, actual: 2_000 });
  });

  it('fails, naming the client, when a client never answered again', () => {
    const neverBack = [0, 20, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const result = gate('during(kill-node).unavailability.max<60s', runWith([answering, neverBack]));
    expect(result.passed).toBe(false);
    expect(result.actual).toBeNull();
    expect(result.detail).toContain('client-2 answered no call after the fault began');
  });

  it('fails on a result without per-client figures rather than pass on nothing', () => {
    const older = { ...silentClient, faultImpact: silentClient.faultImpact!.map(({ clients, ...rest }) => rest) };
    const result = gate('unavailability.max<60s', older);
    expect(result.passed).toBe(false);
    expect(result.detail).toContain('no per-client figures');
  });

  it('refuses unavailability.max after a fault and recovery_time.max during one', () => {
    expect(() => parseGate('after(kill).unavailability.max<5s')).toThrow(/during\(\.\.\.\)\.unavailability\.max/);
    expect(() => parseGate('during(kill).recovery_time.max<5s')).toThrow(/after\(\.\.\.\)\.recovery_time\.max/);
  });

  it('says a recovery without a baseline cannot be judged, instead of never recovered', () => {
    const early: FaultRecord = { ...killNode, startMs: 500, endMs: 2_500 };
    const result = runWith([[5, 0, 0, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10]], early);
    expect(gate('recovery_time<5s', result).detail).toContain('no baseline before the fault');
    expect(gate('after(1).recovery_time<5s', result).detail).toContain('no baseline before the fault');
    expect(gate('recovery_time.max<5s', result).detail).toContain('no baseline before the fault');
  });
});
