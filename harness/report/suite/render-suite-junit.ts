import { escapeXml } from '../junit.ts';
import type { SuiteCell, SuiteImplementation, SuiteResult } from '../../model/suite-schema.ts';
import { CELL_STATUS_TEXT, commandText, exitCodeMeaning } from './cell-status-text.ts';
import { columnCells } from './suite-matrix.ts';

/** How a cell reads to a CI: a JUnit outcome and the text that goes with it. */
type Outcome =
  | { kind: 'pass'; note: string }
  | { kind: 'failure' | 'error' | 'skipped'; message: string; body: string };

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

/**
 * junit.xml of a suite: one testsuite per implementation, one testcase per scenario. An expected
 * failure passes (CI stays green, as for a test suite's known failures) and says so in its
 * system-out; a cell that did not run to the end is skipped.
 */
export function renderSuiteJunit(suite: SuiteResult): string {
  const columns = suite.implementations.map((implementation) => {
    const outcomes = columnCells(suite, implementation.name).map((cell) => ({ cell, outcome: outcomeOf(cell) }));
    return { implementation, outcomes, counts: countOutcomes(outcomes.map(({ outcome }) => outcome)) };
  });
  const all = countOutcomes(columns.flatMap((column) => column.outcomes.map(({ outcome }) => outcome)));
  const time = seconds(suite.suite.durationMs);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rpc-chaos suite" ${countAttributes(all)} time="${time}">`,
    ...columns.flatMap(({ implementation, outcomes, counts }) => {
      const columnTime = outcomes.reduce((sum, { cell }) => sum + (cell.durationMs ?? 0), 0);
      return [
        `  <testsuite name="${escapeXml(`rpc-chaos.${implementation.name}`)}" ${countAttributes(counts)} ` +
          `time="${seconds(columnTime)}" timestamp="${escapeXml(suite.suite.startedAt.replace(/Z$/, ''))}">`,
        '    <properties>',
        ...properties(suite, implementation).map(
          ([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`,
        ),
        '    </properties>',
        ...outcomes.map(({ cell, outcome }) => testcase(cell, outcome)),
        '  </testsuite>',
      ];
    }),
    '</testsuites>',
    '',
  ].join('\n');
}

function outcomeOf(cell: SuiteCell): Outcome {
  const where = cell.runDir === undefined ? '' : `\nrun folder: ${cell.runDir}`;
  const failed = cell.failed.length ? `\nfailed: ${cell.failed.join(', ')}` : '';
  const declared = cell.expectedFailReason ?? 'no reason given';
  switch (cell.status) {
    case 'pass':
      return { kind: 'pass', note: `${cell.reason}${where}` };
    case 'expected-fail':
      return { kind: 'pass', note: `expected failure: ${declared}; failed: ${cell.reason}${failed}${where}` };
    case 'unexpected-pass':
      return {
        kind: 'pass',
        note:
          `unexpected pass: declared as an expected failure (${declared}), but passed: ${cell.reason}; ` +
          `remove it from the implementation's expectedFailures${where}`,
      };
    case 'fail':
      return { kind: 'failure', message: cell.reason, body: `${cell.reason}${failed}${where}` };
    case 'error':
      return { kind: 'error', message: cell.reason, body: `${cell.reason}${where}` };
    case 'interrupted':
    case 'not-run':
    case 'not-applicable': {
      const message = `${CELL_STATUS_TEXT[cell.status].word}: ${cell.reason || CELL_STATUS_TEXT[cell.status].meaning}`;
      return { kind: 'skipped', message, body: `${message}${where}` };
    }
  }
}

function testcase(cell: SuiteCell, outcome: Outcome): string {
  const open =
    `    <testcase classname="${escapeXml(`rpc-chaos.${cell.implementation}`)}" name="${escapeXml(cell.scenario)}" ` +
    `time="${seconds(cell.durationMs ?? 0)}">`;
  const inner =
    outcome.kind === 'pass'
      ? `      <system-out>${escapeXml(outcome.note)}</system-out>`
      : `      <${outcome.kind} message="${escapeXml(outcome.message)}"${typeAttribute(outcome.kind)}>` +
        `${escapeXml(outcome.body)}</${outcome.kind}>`;
  return `${open}\n${inner}\n    </testcase>`;
}

function typeAttribute(kind: 'failure' | 'error' | 'skipped'): string {
  if (kind === 'failure') return ' type="ScenarioFailed"';
  if (kind === 'error') return ' type="HarnessError"';
  return '';
}

function countOutcomes(outcomes: readonly Outcome[]): Counts {
  const of = (kind: Outcome['kind']) => outcomes.filter((outcome) => outcome.kind === kind).length;
  return { tests: outcomes.length, failures: of('failure'), errors: of('error'), skipped: of('skipped') };
}

function countAttributes(counts: Counts): string {
  return (
    `tests="${counts.tests}" failures="${counts.failures}" errors="${counts.errors}" ` + `skipped="${counts.skipped}"`
  );
}

function properties(suite: SuiteResult, implementation: SuiteImplementation): Array<[string, string]> {
  const env = suite.environment;
  return [
    ['serverCommand', commandText(implementation.serverCommand)],
    ['clientCommand', commandText(implementation.clientCommand)],
    ['suite.id', suite.suite.id],
    ['suite.exitCode', `${suite.suite.exitCode} (${exitCodeMeaning(suite.suite.exitCode)})`],
    ['suite.interrupted', String(suite.suite.interrupted)],
    ['broker', env.broker?.description ?? 'none'],
    ['harnessVersion', env.harnessVersion],
    ['node', env.node],
    ['platform', env.platform],
    ['hostname', env.hostname],
  ];
}

function seconds(durationMs: number): string {
  return (durationMs / 1000).toFixed(3);
}
