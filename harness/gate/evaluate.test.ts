import { describe, expect, it } from 'vitest';
import type { GateResult, ScenarioResult } from '../model/result-schema.ts';
import { evaluateGates } from './evaluate.ts';
import { formatGateTable } from './format-gates.ts';
import { parseGate } from './parse-gate.ts';
import { makeResult } from './test/result-fixture.ts';

// 100 answered calls of 1..100 ms, 1000 sent, 2 timeouts; 500 calls/s.
const run = makeResult({ counters: { sent: 1000, timedOut: 2 }, callsPerSec: 500 });
const gate = (expression: string, on: ScenarioResult = run): GateResult =>
  evaluateGates(on, [parseGate(expression)])[0]!;

describe('evaluating gates on one run', { timeout: 10_000 }, () => {
  it.each([
    ['errors==2', true],
    ['errors==0', false],
    ['errors!=0', true],
    ['errors!=2', false],
    ['errors<3', true],
    ['errors<2', false],
    ['errors<=2', true],
    ['errors<=1', false],
    ['errors>1', true],
    ['errors>2', false],
    ['errors>=2', true],
    ['errors>=3', false],
  ])('%s is %s when there were 2 errors', (expression, passed) => {
    expect(gate(expression).passed).toBe(passed);
  });

  it.each([
    ['p50<=51ms', true],
    ['p50<49', false],
    ['p50<1s', true],
    ['p50<0.04s', false],
    ['p50>40000us', true],
    ['p99<100ms', true],
    ['p99<98ms', false],
    ['p(99.9)<=101', true],
    ['max>=100ms', true],
    ['min<=1ms', true],
    ['mean<60ms', true],
    ['throughput>=400/s', true],
    ['throughput>=600/s', false],
    ['error_rate<1%', true],
    ['error_rate<0.1%', false],
    ['server.service.p99<2ms', true],
    ['server.queue_wait.max<1ms', false],
  ])('%s is %s for latencies of 1..100 ms, 500 calls/s, 0.2 %% errors', (expression, passed) => {
    expect(gate(expression).passed).toBe(passed);
  });

  it('reads a percentile the summary does not keep (p95) from the merged histogram', () => {
    expect(gate('p95<1s').actual).toBeCloseTo(95, 0);
  });

  it('counts as errors: timed out + remote errors + connection lost + other errors + wrong results', () => {
    const errored = makeResult({
      counters: { timedOut: 1, remoteErrors: 2, connectionLost: 3, otherErrors: 4, wrongResult: 5 },
    });
    expect(gate('errors==15', errored).passed).toBe(true);
    expect(gate('error_rate==15%', errored).passed).toBe(true);
  });

  it('explains the verdict with the numbers in the metric unit', () => {
    expect(gate('errors==0').detail).toBe('errors 2 == 0: FAIL');
    expect(gate('p99<250').detail).toMatch(/^p99 99\.\d\d ms < 250 ms: pass$/);
    expect(gate('p99<1s').detail).toMatch(/^p99 99\.\d\d ms < 1000 ms: pass$/);
    expect(gate('throughput>=400/s').detail).toBe('throughput 500/s >= 400/s: pass');
    expect(gate('error_rate<1%').detail).toBe('error_rate 0.200% < 1%: pass');
  });

  it('returns a schema-shaped GateResult with the source it was given', () => {
    const [result] = evaluateGates(run, [parseGate('p(99) < 250ms')], 'scenario');
    expect(result).toMatchObject({
      expression: 'p(99) < 250ms',
      metric: 'p99',
      threshold: 250,
      unit: 'ms',
      passed: true,
      source: 'scenario',
    });
    expect(gate('errors==0').source).toBe('cli');
  });
});

describe('a gate over an empty sample set fails (k6 would pass it)', { timeout: 10_000 }, () => {
  const nothingAnswered = makeResult({ latenciesMs: [], counters: { sent: 10, timedOut: 10, serverHandled: 0 } });
  const nothingSent = makeResult({ latenciesMs: [], counters: { sent: 0, serverHandled: 0 } });

  it('fails p99<50ms when no call was answered, saying there were no samples', () => {
    expect(gate('p99<50ms', nothingAnswered)).toMatchObject({ passed: false, actual: null });
    expect(gate('p99<50ms', nothingAnswered).detail).toBe(
      'p99: no samples: no call was answered (10 sent), so "p99<50ms" cannot pass: FAIL',
    );
  });

  it('fails every latency statistic, including histogram-only percentiles and server latency', () => {
    for (const expression of ['p95<1s', 'max<1s', 'mean<1s', 'server.service.p99<1s', 'server.queue_wait.p50<1s']) {
      expect(gate(expression, nothingAnswered).passed, expression).toBe(false);
      expect(gate(expression, nothingAnswered).detail, expression).toMatch(/no samples/);
    }
  });

  it('fails call counts and rates when no call was sent, instead of passing errors==0 vacuously', () => {
    for (const expression of [
      'errors==0',
      'wrong_results==0',
      'error_rate<1%',
      'throughput>=0',
      'discarded.duplicate>=0',
    ]) {
      expect(gate(expression, nothingSent), expression).toMatchObject({ passed: false, actual: null });
      expect(gate(expression, nothingSent).detail, expression).toMatch(/no samples: no call was sent/);
    }
  });

  it('still judges what is defined without calls: sent, dropped, checks_failed', () => {
    expect(gate('sent==0', nothingSent).passed).toBe(true);
    expect(gate('dropped==0', nothingSent).passed).toBe(true);
    expect(gate('checks_failed==0', nothingSent).passed).toBe(true);
  });

  it('judges 0 calls/s as a measurement when calls were sent but none answered', () => {
    expect(gate('throughput>=1/s', nothingAnswered)).toMatchObject({ passed: false, actual: 0 });
  });

  it('fails with the reason when the merged histogram cannot be read', () => {
    const corrupt = { ...run, latency: { ...run.latency, encodedHistogram: 'not-a-histogram' } };
    expect(gate('p95<1s', corrupt)).toMatchObject({ passed: false, actual: null });
    expect(gate('p95<1s', corrupt).detail).toMatch(/cannot read p95 from the merged histogram/);
  });
});

describe('the terminal gate table', { timeout: 10_000 }, () => {
  it('prints PASS/FAIL first, the expressions aligned, then the detail', () => {
    const table = formatGateTable(evaluateGates(run, ['errors==0', 'p99<250ms'].map(parseGate)));
    expect(table.split('\n')).toEqual([
      '  FAIL  errors==0  errors 2 == 0: FAIL',
      expect.stringMatching(/^ {2}PASS {2}p99<250ms {2}p99 99\.\d\d ms < 250 ms: pass$/),
    ]);
    expect(formatGateTable([])).toBe('');
  });
});
