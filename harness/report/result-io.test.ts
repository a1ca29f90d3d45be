import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { readResult, writeResult } from './result-io.ts';
import type { ScenarioResult } from './result-schema.ts';
import { makeSyntheticResult } from './synthetic-result.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const result = makeSyntheticResult({ durationSec: 5 });
const dir = () => mkdtempSync(join(tmpdir(), 'rpc-chaos-result-'));

describe('result.json', () => {
  it('round-trips through write and read', () => {
    const runDir = dir();
    writeResult(runDir, result);
    expect(readResult(runDir)).toEqual(JSON.parse(JSON.stringify(result)));
  });

  it('refuses to write an invalid result, naming the field', () => {
    const broken = { ...result, counters: { ...result.counters, sent: -1 } } as ScenarioResult;
    expect(() => writeResult(dir(), broken)).toThrow(/counters\.sent: Too small/);
  });

  it('names the schema version of an old result.json', () => {
    const runDir = dir();
    writeFileSync(join(runDir, 'result.json'), JSON.stringify({ ...result, schemaVersion: 0 }));
    expect(() => readResult(runDir)).toThrow(/written by result schema version 0; this harness reads version 1/);
  });

  it('names the field of a malformed result.json', () => {
    const runDir = dir();
    const raw = JSON.parse(JSON.stringify(result));
    raw.latency.summary.p99 = 'fast';
    delete raw.scenario.name;
    writeFileSync(join(runDir, 'result.json'), JSON.stringify(raw));
    expect(() => readResult(runDir)).toThrow(/result\.json is invalid: .*scenario\.name: .*latency\.summary\.p99: Invalid input: expected number, received string/);
  });

  it('says what to give when the folder or the JSON is wrong', () => {
    expect(() => readResult('/nonexistent/run')).toThrow(/does not exist: give a run folder/);
    const runDir = dir();
    writeFileSync(join(runDir, 'result.json'), '{"schemaVersion": 1,');
    expect(() => readResult(runDir)).toThrow(/is not valid JSON/);
  });
});

describe('junit.xml, summary.md and the terminal summary', () => {
  const failing: ScenarioResult = {
    ...result,
    verdict: 'fail',
    checks: [...result.checks, { id: 'no-cross-resolution', title: 'No reply resolved a call with another correlation id', passed: false, expectation: 'mismatched = 0', actual: 'mismatched correlation ids 3 <&>' }],
    gates: [{ expression: 'p99<1ms', metric: 'p99', passed: false, actual: 12.5, threshold: 1, unit: 'ms', detail: 'p99 12.50 ms < 1 ms: FAIL', source: 'cli' }],
  };

  it('writes one testcase per check and gate, failures carrying the numbers, escaped', () => {
    const xml = renderJunit(failing);
    expect(xml.match(/<testcase /g)).toHaveLength(failing.checks.length + 1);
    expect(xml).toContain('failures="2"');
    expect(xml).toContain('<failure message="mismatched = 0; actual: mismatched correlation ids 3 &lt;&amp;&gt;"');
    expect(xml).toContain('p99 12.50 ms &lt; 1 ms: FAIL');
    expect(xml).not.toMatch(/<&>/);
  });

  it('puts verdict, latency, checks and gates in summary.md', () => {
    const markdown = renderMarkdown(failing);
    expect(markdown).toMatch(/^## rpc-chaos: duplicate-reply — ❌ FAIL/);
    expect(markdown).toContain('| No reply resolved a call with another correlation id | ❌ | mismatched correlation ids 3 <&> |');
    expect(markdown).toContain('| `p99<1ms` | ❌ | p99 12.50 ms < 1 ms: FAIL |');
  });

  it('prints a plain terminal summary without colour codes when asked', () => {
    const text = formatTerminalSummary(failing, { color: false });
    expect(text).toContain('duplicate-reply  FAIL');
    expect(text).toContain('FAIL  No reply resolved a call with another correlation id');
    expect(text).not.toContain('\x1b[');
    expect(formatTerminalSummary(failing, { color: true })).toContain('\x1b[31mFAIL\x1b[0m');
  });

  it('keeps a large run\'s data readable by the reader', () => {
    const runDir = dir();
    writeResult(runDir, makeSyntheticResult({ durationSec: 120, ratePerSec: 50 }));
    expect(readFileSync(join(runDir, 'result.json'), 'utf8').length).toBeGreaterThan(1000);
    expect(readResult(runDir).latency.series).toHaveLength(120);
  });
});
