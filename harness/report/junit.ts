import type { ScenarioResult } from './result-schema.ts';

/** junit.xml: one testcase per check and per gate; failures carry the numbers. */
export function renderJunit(result: ScenarioResult): string {
  const cases = [
    ...result.checks.map((check) => testcase(`check: ${check.title}`, `rpc-chaos.${result.scenario.name}.checks`, check.passed, `${check.expectation}; actual: ${check.actual}`)),
    ...result.gates.map((gate) => testcase(`gate: ${gate.expression}`, `rpc-chaos.${result.scenario.name}.gates`, gate.passed, gate.detail)),
    ...result.harnessErrors.map((error) => testcase('harness', `rpc-chaos.${result.scenario.name}.harness`, false, error, 'error')),
  ];
  const failures = [...result.checks, ...result.gates].filter((item) => !item.passed).length;
  const seconds = (result.run.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="rpc-chaos" tests="${cases.length}" failures="${failures}" errors="${result.harnessErrors.length}" time="${seconds}">`,
    `  <testsuite name="${escape(result.scenario.name)}" tests="${cases.length}" failures="${failures}" errors="${result.harnessErrors.length}" time="${seconds}" timestamp="${escape(result.run.startedAt)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

function testcase(name: string, classname: string, passed: boolean, detail: string, kind: 'failure' | 'error' = 'failure'): string {
  const open = `    <testcase name="${escape(name)}" classname="${escape(classname)}"`;
  if (passed) return `${open}>\n      <system-out>${escape(detail)}</system-out>\n    </testcase>`;
  return `${open}>\n      <${kind} message="${escape(detail)}">${escape(detail)}</${kind}>\n    </testcase>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
    // Characters XML 1.0 cannot carry at all.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}
