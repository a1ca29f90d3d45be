import { describe, expect, it } from 'vitest';
import { clampLatencyUs, createLatencyHistogram, encodeHistogram } from '../observe/histogram.ts';
import {
  ScenarioResultSchema,
  type FaultRecord,
  type GateResult,
  type ScenarioResult,
} from '../model/result-schema.ts';
import { prepareGates } from './apply-gates.ts';
import { evaluateGates } from './evaluate.ts';
import { GateParseError, parseGate } from './parse-gate.ts';
import { makeResult } from './test/result-fixture.ts';

function parseError(expression: string): GateParseError {
  try {
    parseGate(expression);
  } catch (error) {
    if (error instanceof GateParseError) return error;
    throw error;
  }
  throw new Error(`"${expression}" parsed, but should not have`);
}

interface IntervalSpec {
  readonly tMs: number;
  readonly latenciesMs?: readonly number[];
  readonly timedOut?: number;
  readonly connectionLost?: number;
  readonly wrongResult?: number;
}

/** A run of 10 s load with the given faults and calls by start interval (1 s). */
function phaseRun(
  faults: readonly Partial<FaultRecord>[],
  intervals: readonly IntervalSpec[],
  extra: Partial<ScenarioResult> = {},
): ScenarioResult {
  const base = makeResult();
  const result: ScenarioResult = {
    ...base,
    faults: faults.map((fault, index) => ({
      id: `fault-${index + 1}`,
      kind: 'disable-proxy',
      target: 'proxy servers',
      description: `fault ${index + 1}`,
      trigger: 'at 2.0 s',
      fired: true,
      ...fault,
    })),
    callsByStart: {
      intervalMs: 1000,
      loadDurationMs: 10_000,
      intervals: intervals.map((spec) => {
        const histogram = createLatencyHistogram();
        for (const ms of spec.latenciesMs ?? []) histogram.recordValue(clampLatencyUs(ms * 1000));
        const wrongResult = spec.wrongResult ?? 0;
        return {
          tMs: spec.tMs,
          answered: spec.latenciesMs?.length ?? 0,
          wrongResult,
          timedOut: spec.timedOut ?? 0,
          remoteErrors: 0,
          connectionLost: spec.connectionLost ?? 0,
          otherErrors: 0,
          ...(histogram.totalCount > 0 ? { histogram: encodeHistogram(histogram) } : {}),
        };
      }),
    },
    ...extra,
  };
  return ScenarioResultSchema.parse(result);
}

const tens = (ms: number) => Array.from({ length: 10 }, () => ms);
/** 10 calls of 5 ms per second, except 2..4 s (a 2 s fault from 2 s): 1500 ms calls and 2 timeouts per second. */
const steady = (t: number): IntervalSpec => ({ tMs: t * 1000, latenciesMs: tens(5) });
const faulty = (t: number): IntervalSpec => ({ tMs: t * 1000, latenciesMs: [...tens(1500).slice(0, 8)], timedOut: 2 });
const INTERVALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((t) => (t === 2 || t === 3 ? faulty(t) : steady(t)));
const PARTITION = { startMs: 2000, endMs: 4000 };
const run = phaseRun([PARTITION], INTERVALS, {
  faultImpact: [
    {
      faultId: 'fault-1',
      description: 'fault 1',
      unavailabilityMs: 1000,
      recoveryMs: 2000,
      baselinePerSec: 10,
      failed: { timeout: 4, connectionLost: 0, notConnected: 0, other: 0 },
    },
  ],
});
const gate = (expression: string, on: ScenarioResult = run): GateResult =>
  evaluateGates(on, [parseGate(expression)])[0]!;

describe('phase gates: grammar', { timeout: 10_000 }, () => {
  it.each([
    ['during(partition).p99<2s', 'during', 'partition', 'during(partition).p99', 2000],
    ['after(partition).error_rate<1%', 'after', 'partition', 'after(partition).error_rate', 1],
    ['during( disable-proxy ) . p(99.9) <= 3s', 'during', 'disable-proxy', 'during(disable-proxy).p99.9', 3000],
    ['after(fault-2).throughput>=8/s', 'after', 'fault-2', 'after(fault-2).throughput', 8],
    ['during(1).errors==0', 'during', '1', 'during(1).errors', 0],
    ['during(kill).unavailability<5s', 'during', 'kill', 'during(kill).unavailability', 5000],
    [
      'after(partition-node).recovery_time<10s',
      'after',
      'partition-node',
      'after(partition-node).recovery_time',
      10_000,
    ],
  ])('reads %s', (expression, kind, fault, metric, threshold) => {
    expect(parseGate(expression)).toMatchObject({ phase: { kind, fault }, metric, threshold });
  });

  it.each([
    ['during.p99<2s', 6, 'expected "(" after "during"'],
    ['during(partition.p99<2s', 23, 'expected ")" to close the "(" at position 6'],
    [
      'during(partiton).p99<2s',
      7,
      'unknown fault "partiton"; name a fault kind (kill-server-at-fault-point, kill-server, toxic, disable-proxy',
    ],
    ['during(partiton).p99<2s', 7, '(did you mean "partition"?)'],
    ['during().p99<2s', 7, 'name a fault inside the parentheses'],
    ['during(partition)p99<2s', 17, 'expected "." between during(partition) and the metric'],
    ['during(partition).server.service.p99<2s', 18, 'server.service.p99 is not measured per phase'],
    ['during(partition).discarded.duplicate>=1', 18, 'discarded.duplicate is not measured per phase'],
    [
      'after(partition).unavailability<5s',
      17,
      'unavailability belongs to the during phase of a fault: write during(...).unavailability',
    ],
    ['during(partition).recovery_time<5s', 18, 'recovery_time belongs to the after phase'],
    ['during(partition).p99<2%', 23, 'unit "%" does not fit p99'],
    ['during(partition).p99<2s extra', 25, 'unexpected "extra"'],
    ['during(a b).p99<2s', 7, 'a fault name is a kind, family, id or index'],
  ])('rejects %s at position %d: %s', (expression, position, problem) => {
    const error = parseError(expression);
    expect(error.position).toBe(position);
    expect(error.message).toContain(problem);
    expect(error.message).toContain(`\n    ${expression}\n    ${' '.repeat(position)}^`);
  });

  it("is a config error, listing the scenario's faults, when no scheduled fault matches", () => {
    const faults = [
      {
        kind: 'toxic' as const,
        proxy: 'clients' as const,
        toxic: { type: 'latency' as const, stream: 'downstream' as const, attributes: { latency: 50 } },
        trigger: { atMs: 0 },
      },
    ];
    const prepare = (gates: string[]) => prepareGates(gates, { tolerancePct: 10, scenario: 'latency', faults });
    expect(() => prepare(['during(toxic).p99<1s', 'after(1).errors==0', 'during(fault-1).p99<1s'])).not.toThrow();
    expect(() => prepare(['during(partition).p99<1s'])).toThrow(
      'gate "during(partition).p99<1s": no fault of this scenario matches "partition"; ' +
        'its faults: fault-1 toxic (latency downstream (latency=50) on the clients proxy)',
    );
    expect(() => prepare(['after(2).errors==0'])).toThrow('no fault of this scenario matches "2"');
    expect(() => prepareGates(['during(kill).p99<1s'], { tolerancePct: 10, scenario: 'baseline', faults: [] })).toThrow(
      'the scenario schedules no fault',
    );
  });
});

describe("phase gates: evaluation over the calls started in a fault's window", { timeout: 10_000 }, () => {
  it.each([
    // during = [2 s, 4 s): 16 calls of 1500 ms, 4 timeouts.
    ['during(partition).p99<2s', true, 1500],
    ['during(partition).p99<1s', false, 1500],
    ['during(partition).p50>=1s', true, 1500],
    ['during(partition).error_rate<25%', true, 20],
    ['during(partition).error_rate<10%', false, 20],
    ['during(partition).timeouts==4', true, 4],
    ['during(partition).answered>=20', false, 16],
    ['during(partition).throughput>=8/s', true, 8],
    ['during(partition).throughput>=9/s', false, 8],
    ['during(partition).unavailability<5s', true, 1000],
    ['during(partition).unavailability<1s', false, 1000],
    // after = [4 s, 10 s): 60 calls of 5 ms, none failed.
    ['after(partition).p99<10ms', true, 5],
    ['after(partition).p99<4ms', false, 5],
    ['after(partition).error_rate<1%', true, 0],
    ['after(partition).errors==0', true, 0],
    ['after(partition).throughput>=10/s', true, 10],
    ['after(partition).recovery_time<5s', true, 2000],
    ['after(partition).recovery_time<1s', false, 2000],
  ])('%s is %s (measured %d)', (expression, passed, actual) => {
    const result = gate(expression);
    expect(result.passed).toBe(passed);
    expect(result.actual).toBeCloseTo(actual, 0);
  });

  it('records the phase and the window read in the gate result, and says both in the detail', () => {
    const result = gate('during(partition).p99<2s');
    expect(result.phase).toEqual({
      kind: 'during',
      fault: 'partition',
      windows: [{ faultId: 'fault-1', fromMs: 2000, toMs: 4000 }],
    });
    expect(result.metric).toBe('during(partition).p99');
    expect(result.detail).toMatch(/^during\(partition\) fault-1 \[2 s, 4 s\) p99 1500\.\d+ ms < 2000 ms: pass$/);
    expect(gate('after(partition).error_rate<1%').phase?.windows).toEqual([
      { faultId: 'fault-1', fromMs: 4000, toMs: 10_000 },
    ]);
  });

  it('gives the same answer for a fault named by kind, family, id and index', () => {
    for (const name of ['disable-proxy', 'partition', 'fault-1', '1'])
      expect(gate(`during(${name}).p99<1s`)).toMatchObject({ passed: false, actual: expect.closeTo(1500, 0) });
  });

  it('rounds window boundaries to the nearest interval: a fault from 2.4 s to 4.6 s reads [2 s, 5 s)', () => {
    const shifted = phaseRun([{ startMs: 2400, endMs: 4600 }], INTERVALS);
    expect(gate('during(1).answered==26', shifted)).toMatchObject({
      passed: true,
      phase: { windows: [{ fromMs: 2000, toMs: 5000 }] },
    });
    expect(gate('after(1).answered==50', shifted)).toMatchObject({
      passed: true,
      phase: { windows: [{ fromMs: 5000, toMs: 10_000 }] },
    });
  });

  it('reads [start, start + call timeout] for a fault shorter than an interval (a connection reset)', () => {
    const reset = phaseRun([{ kind: 'close-connections', startMs: 2000, endMs: 2050 }], INTERVALS);
    // Call timeout 3 s in the fixture: [2 s, 5 s).
    expect(gate('during(reset).answered==26', reset)).toMatchObject({
      passed: true,
      phase: { windows: [{ fromMs: 2000, toMs: 5000 }] },
    });
  });

  it('applies to every matching fault and lets the worst decide', () => {
    const twice = phaseRun(
      [
        { kind: 'kill-server', startMs: 2000, endMs: 4000 },
        { kind: 'kill-node', startMs: 6000, endMs: 7000 },
      ],
      [...INTERVALS.filter((i) => i.tMs !== 6000), { tMs: 6000, latenciesMs: tens(3000) }],
    );
    const failing = gate('during(kill).p99<2s', twice);
    expect(failing).toMatchObject({ passed: false, actual: expect.closeTo(3000, 0) });
    expect(failing.detail).toContain('worst of 2 faults: fault-2 [6 s, 7 s)');
    expect(failing.phase?.windows.map((w) => w.faultId)).toEqual(['fault-1', 'fault-2']);
    expect(gate('during(kill).p99<4s', twice)).toMatchObject({ passed: true, actual: expect.closeTo(3000, 0) });
    expect(gate('during(kill-server).p99<2s', twice)).toMatchObject({ passed: true, actual: expect.closeTo(1500, 0) });
  });

  it('fails, saying why, when the fault did not fire', () => {
    const unfired = phaseRun([{ fired: false, startMs: undefined, endMs: undefined }], INTERVALS);
    const result = gate('during(partition).p99<2s', unfired);
    expect(result).toMatchObject({ passed: false, actual: null });
    expect(result.detail).toContain('fault-1 (fault 1) did not fire, so it has no during phase');
  });

  it('fails, saying why, when no call started in the window ended or was answered', () => {
    const silent = phaseRun(
      [PARTITION],
      INTERVALS.filter((i) => i.tMs !== 2000 && i.tMs !== 3000),
    );
    expect(gate('during(partition).errors==0', silent).detail).toContain(
      'no samples: no call started in the window ended',
    );
    const allFailed = phaseRun(
      [PARTITION],
      INTERVALS.map((i) => (i.tMs === 2000 || i.tMs === 3000 ? { tMs: i.tMs, timedOut: 5 } : i)),
    );
    const latency = gate('during(partition).p99<2s', allFailed);
    expect(latency).toMatchObject({ passed: false, actual: null });
    expect(latency.detail).toContain('no call started in the window was answered (10 failed)');
    // The error rate of those calls is a real measurement: 100 %.
    expect(gate('during(partition).error_rate<50%', allFailed)).toMatchObject({ passed: false, actual: 100 });
  });

  it('fails when the fault never ended (no after phase) or the run matches no fault', () => {
    const endless = phaseRun([{ startMs: 2000, endMs: undefined }], INTERVALS);
    expect(gate('after(partition).p99<2s', endless).detail).toContain(
      'did not end before the load did, so it has no after phase',
    );
    expect(gate('during(partition).answered==76', endless)).toMatchObject({
      passed: true,
      phase: { windows: [{ fromMs: 2000, toMs: 10_000 }] },
    });
    const other = phaseRun([{ kind: 'toxic' }], INTERVALS);
    expect(gate('during(partition).p99<2s', other).detail).toContain(
      'no fault of this run matches "partition" (its faults: fault-1 toxic (fault 1))',
    );
  });

  it('fails on a result without per-phase call data (an older result.json)', () => {
    const older = { ...run, callsByStart: undefined };
    expect(gate('during(partition).p99<2s', older)).toMatchObject({ passed: false, actual: null });
    expect(gate('during(partition).p99<2s', older).detail).toContain('this result has no per-phase call data');
  });

  it('counts wrong results as errors, as the whole-run error_rate does', () => {
    const wrong = phaseRun(
      [PARTITION],
      INTERVALS.map((i) => (i.tMs === 5000 ? { ...i, wrongResult: 1 } : i)),
    );
    expect(gate('after(partition).errors==1', wrong).passed).toBe(true);
    expect(gate('after(partition).wrong_results==0', wrong).passed).toBe(false);
  });
});
