import { describe, expect, it } from 'vitest';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { diagnose } from './diagnosis.ts';
import { renderMarkdown } from './markdown.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const passing = makeSyntheticResult({}, { durationSec: 5 });

/** The run of a client that dies on a duplicate reply: the shape the diagnosis must explain. */
const diedOnDuplicate: ScenarioResult = {
  ...passing,
  verdict: 'fail',
  faults: [
    {
      id: 'kill-1',
      kind: 'kill-server-at-fault-point',
      target: 'server-1',
      description: 'SIGKILL server-1 at afterReplyBeforeAck',
      trigger: 'at afterReplyBeforeAck of request 30',
      fired: true,
      startMs: 930,
      endMs: 1_450,
    },
  ],
  timeline: {
    events: [
      { tMs: 930, kind: 'kill', process: 'server-1' },
      { tMs: 938, kind: 'duplicate-delivered', process: 'client-1', detail: 'duplicate reply delivered to client-1' },
    ],
    dropped: 0,
  },
  checks: [
    ...passing.checks,
    {
      id: 'kept-working-after-stale-replies',
      title: 'Clients kept working after every stale, duplicate or unknown reply they received',
      passed: false,
      expectation: '…',
      actual: 'client-1: after a duplicate reply delivered to client-1 at 0.938 s, 0 % (0 of 410) …',
    },
  ],
  errorGroups: {
    groups: [
      {
        process: 'client-1',
        pattern: 'RPC channel is closed',
        example: 'RPC channel is closed',
        count: 410,
        firstTMs: 950,
        lastTMs: 4_990,
      },
      { process: 'client-1', pattern: 'timeout', example: 'timeout', count: 2, firstTMs: 940, lastTMs: 941 },
    ],
    ungrouped: [],
  },
};

describe('the diagnosis of a failed run', () => {
  it('leads with the cause, not a fault that never fired because the client had died', () => {
    const neverFired = {
      id: 'faults-fired',
      title: 'Every scheduled fault actually happened',
      passed: false,
      expectation: 'fired faults = scheduled faults',
      actual: '1 of 2 fired',
    };
    const checks = [neverFired, ...diedOnDuplicate.checks];
    const diagnosis = diagnose({ ...diedOnDuplicate, checks });
    expect(diagnosis?.headline).toBe(
      'check failed: Clients kept working after every stale, duplicate or unknown reply they received',
    );
    expect(diagnosis?.detail).toContain('(and 1 more failed check or gate)');
    const alone = diagnose({ ...diedOnDuplicate, checks: [...passing.checks, neverFired] });
    expect(alone?.headline).toBe('check failed: Every scheduled fault actually happened');
  });

  it('names the first failed check and the failed calls after the nearest event before them', () => {
    expect(diagnose(diedOnDuplicate)).toEqual({
      headline: 'check failed: Clients kept working after every stale, duplicate or unknown reply they received',
      detail: 'client-1: after a duplicate reply delivered to client-1 at 0.938 s, 0 % (0 of 410) …',
      failed:
        'check failed: Clients kept working after every stale, duplicate or unknown reply they received: ' +
        'client-1: after a duplicate reply delivered to client-1 at 0.938 s, 0 % (0 of 410) …',
      calls:
        '410 calls failed in client-1 with "RPC channel is closed"; the first failed 12 ms after ' +
        'a duplicate reply reached client-1 (0.938 s) (2 more failed otherwise: see the error groups)',
    });
  });

  it('names a failed gate when no check failed', () => {
    const slow: ScenarioResult = {
      ...passing,
      verdict: 'fail',
      gates: [
        {
          expression: 'p99<0.001ms',
          metric: 'p99',
          passed: false,
          actual: 3.2,
          threshold: 0.001,
          unit: 'ms',
          detail: 'p99 3.20 ms < 0.001 ms: FAIL',
          source: 'cli',
        },
      ],
    };
    expect(diagnose(slow)?.failed).toBe('gate failed: p99<0.001ms: p99 3.20 ms < 0.001 ms: FAIL');
  });

  it('says what stopped an interrupted run and a run the harness could not run', () => {
    expect(diagnose({ ...passing, verdict: 'interrupted' })?.failed).toMatch(/^interrupted \(Ctrl-C or a signal\)/);
    expect(
      diagnose({ ...passing, verdict: 'error', harnessErrors: ['no broker: install rabbitmq-server'] })?.failed,
    ).toBe('the harness could not run: no broker: install rabbitmq-server');
  });

  it('leaves a passing run without one', () => {
    expect(diagnose(passing)).toBeUndefined();
    expect(formatTerminalSummary(passing, { color: false })).not.toMatch(/\n {2}why/);
    expect(renderMarkdown(passing)).not.toContain('**Why:**');
  });

  it('opens the terminal summary and summary.md, and both list the error groups', () => {
    const terminal = formatTerminalSummary(diedOnDuplicate, { color: false }).split('\n');
    expect(terminal[4]).toMatch(/^ {2}why {2}check failed: Clients kept working/);
    expect(terminal[5]).toMatch(
      /^ {7}410 calls failed in client-1 with "RPC channel is closed"; the first failed 12 ms/,
    );
    expect(terminal.join('\n')).toMatch(
      /failed calls by error\n +410 {2}client-1 {2}0\.950 s – 4\.990 s {2}RPC channel is closed/,
    );
    const markdown = renderMarkdown(diedOnDuplicate);
    expect(markdown).toMatch(/\n> \*\*Why:\*\* check failed: Clients kept working/);
    expect(markdown).toContain('| 410 | client-1 | 0.950 s | 4.990 s | RPC channel is closed |');
  });
});
