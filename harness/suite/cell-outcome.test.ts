import { describe, expect, it } from 'vitest';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import type { SuiteImplementation } from '../model/suite-schema.ts';
import { cellNotRun, cellOfResult, suiteExitCode } from './cell-outcome.ts';

const base = makeSyntheticResult({}, { durationSec: 2, ratePerSec: 50 });
const passed: ScenarioResult = {
  ...base,
  scenario: { name: 'blackhole', description: 'd' },
  verdict: 'pass',
  gates: base.gates.map((gate) => ({ ...gate, passed: true })),
  checks: base.checks.map((check) => ({ ...check, passed: true })),
};
const failed: ScenarioResult = {
  ...passed,
  verdict: 'fail',
  checks: passed.checks.map((check, index) =>
    index === 0 ? { ...check, passed: false, actual: 'client-1 noticed only after 8.01 s' } : check,
  ),
};
const plain: SuiteImplementation = { name: 'python', expectedFailures: [] };
const declared: SuiteImplementation = {
  name: 'python',
  expectedFailures: [{ scenario: 'blackhole', reason: 'pika ignores AMQP_HEARTBEAT' }],
};

describe('a suite cell from its run', () => {
  it('passes with what passed, and fails with the diagnosis and the failed ids', () => {
    const pass = cellOfResult(passed, plain, 'python/blackhole');
    expect(pass).toMatchObject({ status: 'pass', runDir: 'python/blackhole', failed: [] });
    expect(pass.reason).toBe(`${passed.checks.length} checks and ${passed.gates.length} gates passed`);
    const fail = cellOfResult(failed, plain, 'python/blackhole');
    expect(fail.status).toBe('fail');
    expect(fail.reason).toBe(`check failed: ${failed.checks[0]!.title}: client-1 noticed only after 8.01 s`);
    expect(fail.failed).toEqual([failed.checks[0]!.id]);
  });

  it('turns a declared failure into an expected fail, and a declared one that passed into an unexpected pass', () => {
    expect(cellOfResult(failed, declared, 'x')).toMatchObject({
      status: 'expected-fail',
      expectedFailReason: 'pika ignores AMQP_HEARTBEAT',
    });
    expect(cellOfResult(passed, declared, 'x').status).toBe('unexpected-pass');
    // A harness error is never excused by a declaration.
    expect(cellOfResult({ ...failed, verdict: 'error', harnessErrors: ['no broker'] }, declared, 'x')).toMatchObject({
      status: 'error',
      reason: 'the harness could not run: no broker',
    });
  });

  it('exits 0 when every cell passed or failed as declared, 1 on a failure, 2 on an error, 130 interrupted', () => {
    const cell = (
      status: Parameters<typeof cellNotRun>[2] | 'pass' | 'fail' | 'expected-fail' | 'unexpected-pass',
    ) => ({
      ...cellNotRun('s', 'i', 'not-run', ''),
      status,
    });
    expect(
      suiteExitCode([cell('pass'), cell('expected-fail'), cell('unexpected-pass'), cell('not-applicable')], false),
    ).toBe(0);
    expect(suiteExitCode([cell('pass'), cell('fail')], false)).toBe(1);
    expect(suiteExitCode([cell('fail'), cell('error')], false)).toBe(2);
    expect(suiteExitCode([cell('pass'), cell('not-run')], true)).toBe(130);
  });
});
