import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../report/result-schema.ts';
import { makeSyntheticResult } from '../report/synthetic-result.ts';
import { compareWithBaseline, loadBaseline, saveBaseline } from './baseline.ts';
import { evaluateGates } from './evaluate.ts';
import { parseGate } from './parse-gate.ts';

const result = makeSyntheticResult({ durationSec: 5, ratePerSec: 100, medianMs: 2.5 });
const gate = (expression: string, on: ScenarioResult = result) => evaluateGates(on, [parseGate(expression)])[0]!;
const withCounters = (counters: Partial<ScenarioResult['counters']>): ScenarioResult => ({ ...result, counters: { ...result.counters, ...counters } });

describe('gate expressions', { timeout: 10_000 }, () => {
  it.each([
    ['p99<50ms', true],
    ['p99 < 50 ms', true],
    ['p(99)<250', true],
    ['latency.p50<=100ms', true],
    ['p50>1s', false],
    ['p50<500000us', true],
    ['p95<1000', true],
    ['p99.9<=10000ms', true],
    ['max>=0', true],
    ['errors==0', true],
    ['errors!=0', false],
    ['throughput>=50/s', true],
    ['throughput>=500', false],
    ['discarded.duplicate>=1', true],
    ['error_rate<1%', true],
    ['server.queue_wait.p99<10ms', true],
    ['wrong_results==0', true],
  ])('%s evaluates to %s', (expression, passed) => {
    expect(gate(expression).passed).toBe(passed);
  });

  it('converts units into the metric unit (ms, /s, %)', () => {
    expect(parseGate('p99<2s').threshold).toBe(2000);
    expect(parseGate('p99<1500us').threshold).toBe(1.5);
    expect(parseGate('throughput>=400/s')).toMatchObject({ threshold: 400, unit: '/s' });
  });

  it('reads percentiles the summary lacks from the merged histogram', () => {
    const p95 = gate('p95<100000').actual!;
    expect(p95).toBeGreaterThanOrEqual(result.latency.summary.p90);
    expect(p95).toBeLessThanOrEqual(result.latency.summary.p99);
  });

  it('explains the verdict with the numbers', () => {
    expect(gate('errors==0').detail).toBe('errors 0 == 0: pass');
    expect(gate('p50>1s').detail).toMatch(/^p50 \d+\.\d+ ms > 1000 ms: FAIL$/);
  });

  it('fails a latency gate when no call was answered, instead of passing it vacuously', () => {
    const empty = { ...result, latency: { ...result.latency, summary: { ...result.latency.summary, count: 0 } } };
    expect(gate('p99<50ms', empty)).toMatchObject({ passed: false, actual: null });
    expect(gate('p99<50ms', empty).detail).toMatch(/no samples/);
  });

  it.each([
    ['p98.x<5', /unknown metric "p98.x"/],
    ['latancy<5', /unknown metric "latancy"; valid metrics: p50/],
    ['p99=5', /expected an operator/],
    ['p99<', /expected a number/],
    ['p99<abc', /expected a number/],
    ['p99<5kg', /unit "kg" does not fit p99 \(latency\); use ms, us, s or none/],
    ['errors<5ms', /unit "ms" does not fit errors \(count\); it takes a plain number/],
    ['throughput>5%', /unit "%" does not fit throughput/],
    ['', /expected a metric/],
  ])('refuses %j with a clear message pointing at the problem', (expression, message) => {
    expect(() => parseGate(expression)).toThrow(message);
  });

  it('points at the position of the problem', () => {
    expect(() => parseGate('p99<5kg')).toThrow(/\n {4}p99<5kg\n {9}\^/);
  });
});

describe('baselines', { timeout: 10_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-baseline-'));
  const slower = makeSyntheticResult({ durationSec: 5, ratePerSec: 100, medianMs: 4 });
  const same = makeSyntheticResult({ durationSec: 5, ratePerSec: 100, medianMs: 2.5, seed: 8 });

  it('passes a run like the baseline and fails one 60 % slower, naming the metric and numbers', () => {
    const file = join(dir, 'single.json');
    saveBaseline(file, [result]);
    const baseline = loadBaseline(file, 'duplicate-reply');
    expect(compareWithBaseline([same], baseline, { tolerancePct: 10 }).every((g) => g.passed)).toBe(true);
    const gates = compareWithBaseline([slower], baseline, { tolerancePct: 10 });
    const p50 = gates.find((g) => g.metric === 'p50')!;
    expect(p50.passed).toBe(false);
    expect(p50.detail).toMatch(/worse\): FAIL: beyond tolerance 10% \(single run: noise unknown\)/);
  });

  it('calls a regression within the spread of repeated runs "within noise" and passes it', () => {
    const file = join(dir, 'repeats.json');
    const noisyRuns = [2.2, 2.5, 3.4].map((medianMs, i) => makeSyntheticResult({ durationSec: 3, ratePerSec: 100, medianMs, seed: i }));
    saveBaseline(file, noisyRuns);
    const current = [2.6, 2.9, 3.1].map((medianMs, i) => makeSyntheticResult({ durationSec: 3, ratePerSec: 100, medianMs, seed: 10 + i }));
    const p50 = compareWithBaseline(current, loadBaseline(file), { tolerancePct: 5 }).find((g) => g.metric === 'p50')!;
    expect(p50.passed).toBe(true);
    expect(p50.detail).toMatch(/within noise/);
    expect(p50.detail).toMatch(/median of 3 runs/);
  });

  it('fails any increase of wrong results, whatever the tolerance', () => {
    const file = join(dir, 'zero.json');
    saveBaseline(file, [result]);
    const broken = withCounters({ wrongResult: 1 });
    const wrong = compareWithBaseline([broken], loadBaseline(file), { tolerancePct: 1000 }).find((g) => g.metric === 'wrong_results')!;
    expect(wrong).toMatchObject({ passed: false });
    expect(wrong.detail).toMatch(/must never increase/);
  });

  it('refuses a malformed baseline or one saved for another scenario', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ baselineVersion: 1, scenario: 'x', metrics: {} }));
    expect(() => loadBaseline(bad)).toThrow(/baseline .*bad\.json is invalid: createdAt/);
    writeFileSync(bad, '{not json');
    expect(() => loadBaseline(bad)).toThrow(/cannot read baseline/);
    const file = join(dir, 'other.json');
    saveBaseline(file, [result]);
    expect(() => loadBaseline(file, 'late-reply')).toThrow(/saved for scenario "duplicate-reply", not "late-reply"/);
  });
});
