import { withUnit } from './format.ts';
import { proxyText } from './harness-overhead-text.ts';
import type { CheckResult, GateResult, ScenarioResult } from '../model/result-schema.ts';

const INTERRUPTED_MESSAGE = 'the run was interrupted (Ctrl-C or a signal): a partial run, neither a pass nor a fail';

/**
 * junit.xml: one testcase per check and per gate (and one error per harness problem), so CI
 * shows each verdict on its own line; a failure's message carries the numbers behind it.
 */
export function renderJunit(result: ScenarioResult): string {
  const suite = `rpc-chaos.${result.scenario.name}`;
  const cases = [
    ...result.checks.map((check) => checkCase(check, suite)),
    ...result.gates.map((gate) => gateCase(gate, suite)),
    ...result.harnessErrors.map((error, i) =>
      testcase(`harness problem ${i + 1}`, `${suite}.harness`, { kind: 'error', message: error, body: error }),
    ),
    ...(result.verdict === 'interrupted'
      ? [
          testcase('run completed', `${suite}.run`, {
            kind: 'error',
            message: INTERRUPTED_MESSAGE,
            body: `${INTERRUPTED_MESSAGE}\nstopped after ${(result.run.durationMs / 1000).toFixed(1)} s`,
          }),
        ]
      : []),
  ];
  const failures = [...result.checks, ...result.gates].filter((item) => !item.passed).length;
  // A partial run must not read as green to a CI that counts only failures and errors.
  const errors = result.harnessErrors.length + (result.verdict === 'interrupted' ? 1 : 0);
  const time = (result.run.durationMs / 1000).toFixed(3);
  const attributes = `tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rpc-chaos" ${attributes}>`,
    `  <testsuite name="${escapeXml(suite)}" ${attributes} ` +
      `timestamp="${escapeXml(result.run.startedAt.replace(/Z$/, ''))}">`,
    '    <properties>',
    ...properties(result).map(
      ([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`,
    ),
    '    </properties>',
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function properties(result: ScenarioResult): Array<[string, string]> {
  const env = result.environment;
  return [
    ['verdict', result.verdict],
    ['run.id', result.run.id],
    ['broker', `${env.broker.kind} RabbitMQ ${env.broker.version}`],
    ['replyMode', env.replyMode],
    ['proxy', proxyText(env)],
    ['node', env.node],
    ['harnessVersion', env.harnessVersion],
    ['seed', String(result.run.seed)],
  ];
}

function checkCase(check: CheckResult, suite: string): string {
  const numbers = `expected ${check.expectation}; measured ${check.actual}`;
  return testcase(
    check.title,
    `${suite}.checks`,
    check.passed
      ? { kind: 'pass', body: numbers }
      : { kind: 'failure', message: numbers, body: `check ${check.id} failed\n${numbers}` },
  );
}

function gateCase(gate: GateResult, suite: string): string {
  const baseline =
    gate.baseline === undefined || gate.baseline === null ? '' : `, baseline ${withUnit(gate.baseline, gate.unit)}`;
  // The gate's own detail reads best ("p99 12.50 ms < 1 ms"); the raw numbers follow it.
  const message =
    `${gate.detail} (measured ${withUnit(gate.actual, gate.unit)}, ` +
    `threshold ${withUnit(gate.threshold, gate.unit)}${baseline})`;
  const body = `${gate.expression}: ${message}, gate from ${gate.source}`;
  return testcase(
    `gate ${gate.expression}`,
    `${suite}.gates`,
    gate.passed ? { kind: 'pass', body } : { kind: 'failure', message, body },
  );
}

type Outcome = { kind: 'pass'; body: string } | { kind: 'failure' | 'error'; message: string; body: string };

function testcase(name: string, classname: string, outcome: Outcome): string {
  const open = `    <testcase name="${escapeXml(name)}" classname="${escapeXml(classname)}" time="0">`;
  const inner =
    outcome.kind === 'pass'
      ? `      <system-out>${escapeXml(outcome.body)}</system-out>`
      : `      <${outcome.kind} message="${escapeXml(outcome.message)}" ` +
        `type="${outcome.kind === 'failure' ? 'AssertionError' : 'HarnessError'}">` +
        `${escapeXml(outcome.body)}</${outcome.kind}>`;
  return `${open}\n${inner}\n    </testcase>`;
}

/** Text and attribute escaping in one; characters XML 1.0 cannot carry at all are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;');
}
