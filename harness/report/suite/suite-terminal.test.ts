import { describe, expect, it } from 'vitest';
import type { SuiteResult } from '../../model/suite-schema.ts';
import { formatSuiteTerminal } from './suite-terminal.ts';

const suite: SuiteResult = {
  schemaVersion: 1,
  suite: {
    id: 's',
    startedAt: '2026-12-06T10:00:00.000Z',
    endedAt: '2026-12-06T10:02:51.000Z',
    durationMs: 171_000,
    interrupted: false,
    exitCode: 1,
  },
  environment: {
    harnessVersion: '0.1.0',
    node: 'v20.20.2',
    platform: 'linux x64',
    cpus: 2,
    cpuModel: 'cpu',
    hostname: 'h',
    broker: { kind: 'local', version: '3.10.8', description: 'private RabbitMQ node on 127.0.0.1:1' },
    brokerStarts: 1,
  },
  scenarios: [
    { name: 'duplicate-reply', description: 'd', tags: ['seed'] },
    { name: 'blackhole', description: 'b', tags: ['network'] },
  ],
  implementations: [
    { name: 'builtin', expectedFailures: [] },
    { name: 'python', serverCommand: 's', clientCommand: 'c', expectedFailures: [] },
  ],
  cells: [
    { scenario: 'duplicate-reply', implementation: 'builtin', status: 'pass', reason: '12 checks passed', failed: [] },
    { scenario: 'duplicate-reply', implementation: 'python', status: 'fail', reason: 'check failed: X', failed: ['x'] },
    { scenario: 'blackhole', implementation: 'builtin', status: 'pass', reason: 'ok', failed: [] },
    {
      scenario: 'blackhole',
      implementation: 'python',
      status: 'expected-fail',
      reason: 'check failed: Y',
      expectedFailReason: 'pika ignores AMQP_HEARTBEAT',
      failed: ['y'],
    },
  ],
  totals: {
    pass: 2,
    fail: 1,
    'expected-fail': 1,
    'unexpected-pass': 0,
    error: 0,
    interrupted: 0,
    'not-run': 0,
    'not-applicable': 0,
  },
};

describe('the suite in the terminal', () => {
  it('shows the grid, then why each cell that did not pass did not, then the totals', () => {
    expect(formatSuiteTerminal(suite, { color: false }).split('\n')).toEqual([
      'suite  FAIL (exit 1)  2 scenarios × 2 implementations · 171.0 s · private RabbitMQ node on 127.0.0.1:1 (1 broker start)',
      '',
      '                   builtin          python',
      '  duplicate-reply  PASS             FAIL',
      '  blackhole        PASS             EXPECTED FAIL',
      '',
      '  FAIL duplicate-reply × python: check failed: X',
      '  EXPECTED FAIL blackhole × python: check failed: Y [declared: pika ignores AMQP_HEARTBEAT]',
      '',
      '  totals: 2 pass, 1 fail, 1 expected fail',
    ]);
  });
});
