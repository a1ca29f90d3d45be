import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GateResult, ScenarioResult } from '../model/result-schema.ts';
import {
  BaselineError,
  baselineFromRuns,
  compareWithBaseline,
  extractBaselineMetrics,
  loadBaseline,
  saveBaseline,
  type Baseline,
} from './baseline.ts';
import { aggregateRepeats } from './repeats.ts';
import { makeResult, scaledLatencies } from './test/result-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-gate-'));
/** Runs whose latencies are 1..100 ms times each factor, one run per factor. */
const runs = (factors: readonly number[], prefix = 'run'): ScenarioResult[] =>
  factors.map((factor, i) => makeResult({ runId: `${prefix}-${i + 1}`, latenciesMs: scaledLatencies(factor) }));
const metric = (gates: readonly GateResult[], name: string): GateResult => {
  const found = gates.find((gate) => gate.metric === name);
  if (!found) throw new Error(`no gate for ${name} in ${gates.map((gate) => gate.metric).join(', ')}`);
  return found;
};

describe('baseline files', { timeout: 10_000 }, () => {
  it('extracts the compared numbers of one run with scenario, run id and environment', () => {
    const baseline = extractBaselineMetrics(makeResult({ runId: 'r-42', counters: { timedOut: 1 }, callsPerSec: 480 }));
    expect(baseline).toMatchObject({
      baselineVersion: 2,
      scenario: 'baseline',
      runIds: ['r-42'],
      environment: {
        broker: 'local 3.10.8',
        replyMode: 'callback-queue',
        cpus: 2,
        workload: 'closed-loop concurrency 8 for 10s, 1 servers, 1 clients',
      },
    });
    expect(baseline.metrics.throughput).toEqual({
      unit: '/s',
      values: [480],
      median: 480,
      min: 480,
      max: 480,
      halfRange: 0,
      runsWithoutSamples: 0,
    });
    expect(baseline.metrics.errors?.values).toEqual([1]);
    expect(baseline.metrics.p99?.median).toBeCloseTo(99, 0);
    expect(Object.keys(baseline.metrics)).toEqual(
      expect.arrayContaining(['p50', 'p90', 'p95', 'p99', 'p99.9', 'wrong_results', 'checks_failed']),
    );
  });

  it('keeps every repeat, the median and the spread when runs were repeated', () => {
    const baseline = baselineFromRuns([
      makeResult({ runId: 'a', callsPerSec: 400 }),
      makeResult({ runId: 'b', callsPerSec: 500 }),
      makeResult({ runId: 'c', callsPerSec: 440 }),
    ]);
    expect(baseline.runIds).toEqual(['a', 'b', 'c']);
    expect(baseline.metrics.throughput).toMatchObject({
      values: [400, 500, 440],
      median: 440,
      min: 400,
      max: 500,
      halfRange: 50,
    });
  });

  it('saves and loads the same baseline', () => {
    const file = join(dir, 'nested', 'round-trip.json');
    const saved = saveBaseline(file, runs([1, 1.1]));
    expect(loadBaseline(file, 'baseline')).toEqual(saved);
    expect(JSON.parse(readFileSync(file, 'utf8')).baselineVersion).toBe(2);
  });

  it('refuses to make a baseline of an interrupted or harness-error run', () => {
    expect(() => extractBaselineMetrics(makeResult({ interrupted: true }))).toThrow(
      /run run-1 was interrupted; a baseline needs complete runs/,
    );
    expect(() => extractBaselineMetrics(makeResult({ verdict: 'error' }))).toThrow(/harness error/);
    expect(() => baselineFromRuns([])).toThrow(BaselineError);
    expect(() => baselineFromRuns([makeResult(), makeResult({ scenario: 'late-reply' })])).toThrow(
      /different scenarios/,
    );
  });

  const write = (name: string, content: string): string => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const valid = (): Baseline => extractBaselineMetrics(makeResult());

  it.each<[string, () => string, RegExp]>([
    [
      'a missing file',
      () => join(dir, 'absent.json'),
      /cannot read baseline .*absent\.json: .*ENOENT.*; create one with --save-baseline/,
    ],
    ['a file that is not JSON', () => write('garbage.json', '{not json'), /baseline .*garbage\.json is not JSON/],
    [
      'a baseline of another version',
      () => write('v1.json', JSON.stringify({ baselineVersion: 1, metrics: {} })),
      /has baselineVersion 1, this harness reads version 2; save it again/,
    ],
    ['a file without a version', () => write('array.json', '[]'), /has baselineVersion undefined/],
    [
      'missing fields, all listed',
      () => write('fields.json', JSON.stringify({ baselineVersion: 2, scenario: 'x', metrics: {} })),
      /is invalid: createdAt: .*; runIds: .*; environment: /,
    ],
    [
      'a metric that cannot be compared',
      () =>
        write(
          'metric.json',
          JSON.stringify({
            ...valid(),
            metrics: { ...valid().metrics, 'discarded.duplicate': valid().metrics.errors },
          }),
        ),
      /metrics\.discarded\.duplicate: "discarded\.duplicate" is not a metric a baseline can compare/,
    ],
    [
      'a median edited by hand',
      () =>
        write('edited.json', JSON.stringify({ ...valid(), metrics: { p99: { ...valid().metrics.p99, median: 1 } } })),
      /metrics\.p99\.median: median 1 does not match values \[99\.\d+\]/,
    ],
  ])('refuses %s with a message that says what to do', (_what, file, message) => {
    const path = file();
    expect(() => loadBaseline(path)).toThrow(BaselineError);
    expect(() => loadBaseline(path)).toThrow(message);
  });

  it('refuses a baseline saved for another scenario', () => {
    const file = join(dir, 'other.json');
    saveBaseline(file, [makeResult({ scenario: 'duplicate-reply' })]);
    expect(() => loadBaseline(file, 'late-reply')).toThrow(/saved for scenario "duplicate-reply", not "late-reply"/);
    expect(() =>
      compareWithBaseline([makeResult({ scenario: 'late-reply' })], loadBaseline(file), { tolerancePct: 10 }),
    ).toThrow(/baseline is for scenario "duplicate-reply", the run is of "late-reply"/);
  });
});

describe('comparing single runs with a baseline: the tolerance decides, noise unknown', { timeout: 10_000 }, () => {
  const baseline = extractBaselineMetrics(makeResult());

  it('passes a run like the baseline on every default metric', () => {
    const gates = compareWithBaseline([makeResult()], baseline, { tolerancePct: 10 });
    expect(gates.map((gate) => gate.metric)).toEqual([
      'p50',
      'p90',
      'p99',
      'throughput',
      'errors',
      'wrong_results',
      'mismatched_correlation',
      'checks_failed',
    ]);
    expect(gates.every((gate) => gate.passed)).toBe(true);
    expect(metric(gates, 'p50').detail).toMatch(
      /^p50 50\.\d\d ms vs baseline 50\.\d\d ms \(unchanged\): within tolerance 10% \(single run: noise unknown\)$/,
    );
    expect(metric(gates, 'p50')).toMatchObject({ expression: 'p50 vs baseline ±10%', source: 'baseline', unit: 'ms' });
  });

  it('passes latency 5 % worse within a 10 % tolerance, fails it 20 % worse', () => {
    expect(metric(compareWithBaseline(runs([1.05]), baseline, { tolerancePct: 10 }), 'p99').passed).toBe(true);
    const p99 = metric(compareWithBaseline(runs([1.2]), baseline, { tolerancePct: 10 }), 'p99');
    expect(p99.passed).toBe(false);
    expect(p99.detail).toMatch(
      new RegExp(
        String.raw`^p99 118\.\d+ ms vs baseline 99\.\d+ ms \(20\.\d% worse\): ` +
          String.raw`FAIL: beyond tolerance 10% \(single run: noise unknown\)$`,
      ),
    );
    expect(p99.threshold).toBeCloseTo(p99.baseline! * 1.1, 6);
  });

  it('knows the direction: lower latency and higher throughput are better', () => {
    expect(metric(compareWithBaseline(runs([0.5]), baseline, { tolerancePct: 0 }), 'p99').detail).toMatch(
      /\(50\.0% better\): within tolerance 0%/,
    );
    const faster = compareWithBaseline([makeResult({ callsPerSec: 13 })], baseline, { tolerancePct: 10 });
    expect(metric(faster, 'throughput')).toMatchObject({ passed: true, actual: 13, baseline: 10 });
    const slower = metric(
      compareWithBaseline([makeResult({ callsPerSec: 8 })], baseline, { tolerancePct: 10 }),
      'throughput',
    );
    expect(slower).toMatchObject({ passed: false, threshold: 9 });
    expect(slower.detail).toMatch(/throughput 8\/s vs baseline 10\/s \(20\.0% worse\): FAIL/);
  });

  it('fails errors that appear where the baseline had none, whatever the tolerance', () => {
    const errors = metric(
      compareWithBaseline([makeResult({ counters: { timedOut: 3 } })], baseline, { tolerancePct: 500 }),
      'errors',
    );
    expect(errors.passed).toBe(false);
    expect(errors.detail).toBe(
      'errors 3 vs baseline 0 (up from 0): FAIL: beyond tolerance 500% (single run: noise unknown)',
    );
  });

  it('fails any increase of wrong results, mismatched correlations or failed checks, whatever the tolerance', () => {
    const broken = makeResult({ counters: { wrongResult: 1, mismatchedCorrelation: 1 }, failedChecks: 1 });
    const gates = compareWithBaseline([broken], baseline, { tolerancePct: 1000 });
    for (const name of ['wrong_results', 'mismatched_correlation', 'checks_failed']) {
      expect(metric(gates, name).passed, name).toBe(false);
      expect(metric(gates, name).detail, name).toMatch(
        /1 vs baseline 0: FAIL: must never increase, whatever the tolerance/,
      );
    }
  });

  it('fails a metric this run has no samples for, saying why', () => {
    const silent = makeResult({ latenciesMs: [], counters: { sent: 10, timedOut: 10 } });
    const p99 = metric(compareWithBaseline([silent], baseline, { tolerancePct: 10 }), 'p99');
    expect(p99).toMatchObject({ passed: false, actual: null });
    expect(p99.detail).toMatch(
      /^p99: no samples: no call was answered \(10 sent\) in this run, baseline 99\.\d+ ms: FAIL$/,
    );
  });

  it('fails a metric the baseline has no value for, and says to save a new one', () => {
    const emptyBaseline = extractBaselineMetrics(makeResult({ latenciesMs: [], counters: { sent: 5, timedOut: 5 } }));
    const p50 = metric(compareWithBaseline([makeResult()], emptyBaseline, { tolerancePct: 10 }), 'p50');
    expect(p50).toMatchObject({ passed: false, baseline: null });
    expect(p50.detail).toMatch(/the baseline has no value for it .*save a new baseline: FAIL/);
  });

  it('compares only the metrics asked for, in any gate spelling', () => {
    const gates = compareWithBaseline(runs([1]), baseline, {
      tolerancePct: 10,
      metrics: ['p(99.9)', 'latency.p95', 'timeouts'],
    });
    expect(gates.map((gate) => gate.metric)).toEqual(['p99.9', 'p95', 'timeouts']);
  });

  it('refuses metrics that cannot be compared and bad tolerances as configuration errors', () => {
    expect(() =>
      compareWithBaseline(runs([1]), baseline, { tolerancePct: 10, metrics: ['discarded.duplicate'] }),
    ).toThrow(/neither direction is a regression; gate it with an expression/);
    expect(() => compareWithBaseline(runs([1]), baseline, { tolerancePct: 10, metrics: ['p99x'] })).toThrow(
      /unknown metric "p99x"/,
    );
    expect(() => compareWithBaseline(runs([1]), baseline, { tolerancePct: -1 })).toThrow(
      /tolerance must be a percentage >= 0/,
    );
    expect(() => compareWithBaseline([], baseline, { tolerancePct: 10 })).toThrow(/no run to compare/);
  });

  it('says when the environment differs from the baseline', () => {
    const p50 = metric(compareWithBaseline([makeResult({ cpus: 8 })], baseline, { tolerancePct: 10 }), 'p50');
    expect(p50.detail).toMatch(/; environment differs from the baseline: cpus 2 -> 8$/);
  });
});

describe('comparing repeated runs: medians, and differences within the observed noise', { timeout: 10_000 }, () => {
  it('aggregates repeats: every value, median, min..max and runs without samples', () => {
    const silent = makeResult({ runId: 'silent', latenciesMs: [], counters: { sent: 3, timedOut: 3 } });
    const aggregated = aggregateRepeats([...runs([1, 1.2]), silent], ['p50', 'errors']);
    expect(aggregated.runIds).toEqual(['run-1', 'run-2', 'silent']);
    expect(aggregated.metrics.p50).toMatchObject({ runsWithoutSamples: 1, unit: 'ms' });
    expect(aggregated.metrics.p50?.values).toHaveLength(2);
    expect(aggregated.metrics.errors).toMatchObject({ values: [0, 0, 3], median: 0, min: 0, max: 3, halfRange: 1.5 });
    expect(aggregateRepeats([silent], ['p99']).withoutSamples).toEqual({
      p99: 'no samples: no call was answered (3 sent)',
    });
  });

  it(
    'passes a median 15 % worse, beyond a 5 % tolerance, ' + 'when the repeats scatter more than that: "within noise"',
    () => {
      const baseline = baselineFromRuns(runs([0.9, 1.0, 1.2], 'base'));
      const p50 = metric(compareWithBaseline(runs([1.05, 1.15, 1.3]), baseline, { tolerancePct: 5 }), 'p50');
      expect(p50.passed).toBe(true);
      expect(p50.detail).toMatch(
        new RegExp(
          String.raw`\(15\.\d% worse\): beyond tolerance 5% but within noise \(±27\.\d% across repeats\); ` +
            String.raw`the runs vary more than the tolerance`,
        ),
      );
      expect(p50.detail).toMatch(/; median of 3 runs$/);
    },
  );

  it('fails a median 30 % worse when the repeats agree closely: beyond tolerance and noise', () => {
    const baseline = baselineFromRuns(runs([0.98, 1.0, 1.02], 'base'));
    const p50 = metric(compareWithBaseline(runs([1.28, 1.3, 1.33]), baseline, { tolerancePct: 10 }), 'p50');
    expect(p50.passed).toBe(false);
    expect(p50.detail).toMatch(
      /\(30\.\d% worse\): FAIL: beyond tolerance 10% and noise ±4\.\d% across repeats; median of 3 runs$/,
    );
  });

  it('says "within noise" when a difference inside the tolerance is also inside the spread', () => {
    const baseline = baselineFromRuns(runs([0.9, 1.0, 1.1], 'base'));
    const p50 = metric(compareWithBaseline(runs([0.95, 1.03, 1.1]), baseline, { tolerancePct: 10 }), 'p50');
    expect(p50.passed).toBe(true);
    expect(p50.detail).toMatch(/within tolerance 10%, within noise \(±17\.\d% across repeats\)/);
  });

  it('uses only the noise it observed when one side is a single run', () => {
    const baseline = extractBaselineMetrics(makeResult());
    const p50 = metric(compareWithBaseline(runs([1.0, 1.08, 1.3]), baseline, { tolerancePct: 5 }), 'p50');
    expect(p50.passed).toBe(true);
    expect(p50.detail).toMatch(
      /beyond tolerance 5% but within noise \(±1[45]\.\d% from this run's 3 repeats only; the baseline is one run\)/,
    );
    const repeatedBaseline = baselineFromRuns(runs([0.95, 1.0, 1.05], 'base'));
    const single = metric(compareWithBaseline(runs([1.2]), repeatedBaseline, { tolerancePct: 10 }), 'p50');
    expect(single.passed).toBe(false);
    expect(single.detail).toMatch(
      /FAIL: beyond tolerance 10% and noise ±5\.\d% from the baseline's 3 repeats only; this is one run/,
    );
  });

  it('fails a wrong result in any one of the repeats, although the median is 0', () => {
    const baseline = baselineFromRuns(runs([1, 1, 1], 'base'));
    const current = [
      makeResult({ runId: 'a' }),
      makeResult({ runId: 'b', counters: { wrongResult: 1 } }),
      makeResult({ runId: 'c' }),
    ];
    const wrong = metric(compareWithBaseline(current, baseline, { tolerancePct: 1000 }), 'wrong_results');
    expect(wrong).toMatchObject({ passed: false, actual: 1, baseline: 0 });
    expect(wrong.detail).toBe(
      'wrong_results 1 vs baseline 0 (worst of 3 runs): FAIL: must never increase, whatever the tolerance',
    );
  });
});
