import { describe, expect, it } from 'vitest';
import { exitCodeOf } from '../exit-codes.ts';
import { renderCompareMarkdown } from './compare.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import { renderSegments } from './html/sections/segments.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const passing = makeSyntheticResult({}, { durationSec: 5 });
const failing: ScenarioResult = {
  ...passing,
  verdict: 'fail',
  checks: [
    ...passing.checks,
    {
      id: 'no-cross-resolution',
      title: 'No reply resolved a call with another correlation id',
      passed: false,
      expectation: 'mismatched = 0',
      actual: 'mismatched correlation ids 3 <&> "x"',
    },
  ],
  gates: [
    ...passing.gates,
    {
      expression: 'p99<1ms',
      metric: 'p99',
      passed: false,
      actual: 12.5,
      threshold: 1,
      unit: 'ms',
      detail: 'p99 12.50 ms < 1 ms',
      source: 'cli',
    },
  ],
  harnessErrors: ['worker 2 could not report its histogram\u0007'],
};

/** Well-formedness without an XML library: every tag closes in order, every & starts an entity. */
function assertWellFormedXml(xml: string): void {
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(xml).not.toMatch(/&(?!(amp|lt|gt|quot|apos|#\d+);)/);
  expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
  const stack: string[] = [];
  for (const match of xml
    .replace(/^<\?xml[^>]*\?>/, '')
    .matchAll(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    if (match[2] === undefined) throw new Error(`stray ${match[0]} at ${match.index}`);
    if (match[4] === '/') continue;
    if (match[1] === '/') expect(stack.pop(), `closing </${match[2]}>`).toBe(match[2]);
    else stack.push(match[2]);
  }
  expect(stack).toEqual([]);
}

describe('junit.xml', { timeout: 30_000 }, () => {
  const xml = renderJunit(failing);

  it('is well-formed XML with one testcase per check and per gate, plus one per harness error', () => {
    assertWellFormedXml(xml);
    expect(xml.match(/<testcase /g)).toHaveLength(failing.checks.length + failing.gates.length + 1);
    expect(xml).toContain(`tests="${failing.checks.length + failing.gates.length + 1}" failures="2" errors="1"`);
  });

  it('gives each failure the numbers behind it, escaped', () => {
    expect(xml).toContain(
      '<failure message="expected mismatched = 0; measured mismatched correlation ids 3 &lt;&amp;&gt; &quot;x&quot;"',
    );
    expect(xml).toContain('<failure message="p99 12.50 ms &lt; 1 ms (measured 12.5 ms, threshold 1 ms)"');
    expect(xml).toContain('<error message="worker 2 could not report its histogram"');
  });

  it('passes every testcase of a passing run', () => {
    const passed = renderJunit(passing);
    assertWellFormedXml(passed);
    expect(passed).toContain('failures="0" errors="0"');
    expect(passed).not.toContain('<failure');
  });
});

describe('summary.md', { timeout: 30_000 }, () => {
  const markdown = renderMarkdown(failing);

  it('starts with the verdict and has the key latency table', () => {
    expect(markdown).toMatch(/^## rpc-chaos: duplicate-reply — ❌ FAIL/);
    expect(markdown).toContain('| p50 | p90 | p99 | p99.9 | max | mean | answered | throughput |');
  });

  it('has the checks and gates tables with their numbers, cells kept intact', () => {
    expect(markdown).toContain(
      '| ❌ **FAIL** | No reply resolved a call with another correlation id | mismatched = 0 | ' +
        'mismatched correlation ids 3 <&> "x" |',
    );
    expect(markdown).toContain('| ❌ **FAIL** | `p99<1ms` | 12.5 ms | 1 ms | p99 12.50 ms < 1 ms |');
  });

  it('has the counters, discards by kind and server kills', () => {
    expect(markdown).toContain(
      '| sent | answered | timed out | errors | wrong | dropped | discarded duplicate / late / unknown | ' +
        'redelivered | server kills / restarts | broker restarts |',
    );
    expect(markdown).toContain(`| ${passing.counters.discarded.duplicate} / 0 / 0 |`);
  });
});

describe('terminal summary', { timeout: 30_000 }, () => {
  it('prints verdict, aligned percentiles and counters, and the failed check with what must hold', () => {
    const text = formatTerminalSummary(failing, { color: false });
    expect(text).toContain('duplicate-reply  FAIL');
    expect(text).toMatch(/latency +p50 +[\d.]+ ms +p90/);
    const rows = text.split('\n').filter((line) => /^ {2}(latency|calls|discarded|faults) /.test(line));
    expect(rows).toHaveLength(4);
    // Aligned: fixed-width columns make every row of the grid equally long.
    expect(new Set(rows.map((row) => row.length)).size).toBe(1);
    expect(text).toContain('FAIL  No reply resolved a call with another correlation id');
    expect(text).toContain('(must hold: mismatched = 0)');
    expect(text).not.toContain('\x1b[');
  });

  it('colours failures red only when asked', () => {
    expect(formatTerminalSummary(failing, { color: true })).toContain('\x1b[31m\x1b[1mFAIL\x1b[0m\x1b[0m');
    expect(formatTerminalSummary(passing, { color: true })).toContain('\x1b[32m\x1b[1mPASS\x1b[0m\x1b[0m');
  });
});

describe('compare.md', { timeout: 60_000 }, () => {
  it('shows A, B and the delta with direction for each percentile', () => {
    const b = makeSyntheticResult({}, { durationSec: 5, medianMs: 4, seed: 9 });
    const markdown = renderCompareMarkdown(passing, b);
    expect(markdown).toMatch(/\| p50 \| [\d.]+ ms \| [\d.]+ ms \| 🔺 worse \+[\d.]+ ms \(\+[\d.]+ %\) \|/);
    expect(markdown).toMatch(/\| p99\.9 \|/);
    expect(markdown).toMatch(/\| check: Every call is accounted for \| ✅ \| ✅ \|/);
  });
});

describe('a run merged from execution segments', { timeout: 30_000 }, () => {
  const merged: ScenarioResult = {
    ...passing,
    segments: {
      count: 2,
      startAt: '2026-12-01T10:00:00.000Z',
      clockSkewMs: 72.5,
      participants: [
        {
          role: 'servers',
          index: 0,
          dir: 'out/servers',
          host: 'build-3',
          startOffsetMs: 0.4,
          sent: 0,
          answered: 0,
          implementation: 'command: ./server',
        },
        {
          role: 'clients',
          index: 2,
          dir: 'out/segment-2',
          host: 'build-2',
          localAddress: '127.0.0.12',
          startOffsetMs: 72.9,
          sent: 250,
          answered: 249,
          implementation: 'command: ./client-v2',
        },
        {
          role: 'clients',
          index: 1,
          dir: 'out/segment-1',
          host: 'build-1',
          localAddress: '127.0.0.11',
          startOffsetMs: -1.2,
          sent: 250,
          answered: 250,
          implementation: 'builtin',
        },
      ],
    },
  };

  it('names every participant in order, with its host, start against the agreed time and calls', () => {
    const text = formatTerminalSummary(merged, { color: false });
    expect(text).toContain(
      'merged from 2 of 2 clients segments and 1 servers run · mixed fleet: 2 client implementations · ' +
        'agreed start 2026-12-01 10:00:00 UTC · clock skew 72.5 ms (over 50 ms)',
    );
    const rows = text.split('\n').filter((line) => /^ {2}(segment \d+\/\d+|servers) /.test(line));
    expect(rows.map((row) => /^ {2}(segment \d+\/\d+|servers)/.exec(row)![1])).toEqual([
      'segment 1/2',
      'segment 2/2',
      'servers',
    ]);
    expect(rows[0]).toMatch(/build-1 \(127\.0\.0\.11\)\s+started\s+-1\.2 ms\s+sent 250\s+answered 250/);
    expect(rows[2]).toContain('sent   -');
    expect(rows[1]).toMatch(/answered 249\s+command: \.\/client-v2$/);
    expect(rows[2]).toMatch(/command: \.\/server$/);
    const sameClient = {
      ...merged.segments!,
      participants: merged.segments!.participants.map((p) => ({ ...p, implementation: 'builtin' })),
    };
    expect(formatTerminalSummary({ ...merged, segments: sameClient }, { color: false })).not.toContain('mixed');
  });

  it('has a segments table in summary.md and a segments card in report.html; a whole run has neither', () => {
    expect(renderMarkdown(merged)).toContain(
      '| segment 2/2 | build-2 (127.0.0.12) | +72.9 ms | 250 | 249 | command: ./client-v2 | `out/segment-2` |',
    );
    expect(renderMarkdown(passing)).not.toContain('### Segments');
    expect(renderSegments(merged)).toContain(
      '<td>segment 1/2</td><td>build-1 (127.0.0.11)</td><td class="num">-1.2 ms</td>',
    );
    expect(renderSegments(merged)).toContain('<td class="num">249</td><td>command: ./client-v2</td>');
    expect(renderSegments(passing)).toBe('');
    expect(formatTerminalSummary(passing, { color: false })).not.toContain('segments');
  });
});

describe('an interrupted run', { timeout: 30_000 }, () => {
  // Its checks passed on what was measured; that must not read as a pass.
  const interrupted: ScenarioResult = {
    ...passing,
    run: { ...passing.run, interrupted: true },
    verdict: 'interrupted',
  };

  it('has a verdict of its own in the terminal summary, neither PASS nor FAIL', () => {
    const text = formatTerminalSummary(interrupted, { color: false });
    expect(text).toContain(
      'duplicate-reply  INTERRUPTED  ' +
        'partial run: the checks and gates below judge only what was measured before the stop',
    );
    expect(text.split('\n')[1]).not.toMatch(/PASS|FAIL/);
  });

  it('heads summary.md with INTERRUPTED and says what it means', () => {
    const markdown = renderMarkdown(interrupted);
    expect(markdown.split('\n')[0]).toBe('## rpc-chaos: duplicate-reply — ⏹️ INTERRUPTED');
    expect(markdown).toContain('> ⏹️ **Interrupted:** a partial run.');
  });

  it('is an error in junit.xml, so a CI that counts failures and errors does not see green', () => {
    const xml = renderJunit(interrupted);
    assertWellFormedXml(xml);
    expect(xml).toContain('<property name="verdict" value="interrupted"/>');
    const runCompletedError = new RegExp(
      String.raw`<testcase name="run completed" classname="rpc-chaos\.duplicate-reply\.run" time="0">\s*` +
        String.raw`<error message="the run was interrupted \(Ctrl-C or a signal\): ` +
        String.raw`a partial run, neither a pass nor a fail"`,
    );
    expect(xml).toMatch(runCompletedError);
    expect(xml).toContain(`tests="${passing.checks.length + passing.gates.length + 1}" failures="0" errors="1"`);
  });

  it('exits 130 whatever its checks say', () => {
    expect(exitCodeOf('interrupted')).toBe(130);
    expect([exitCodeOf('pass'), exitCodeOf('fail'), exitCodeOf('error')]).toEqual([0, 1, 2]);
  });
});

describe('calls the client could not publish', () => {
  const notSent = { ...passing, counters: { ...passing.counters, notSent: 99 } };

  it('are on the terminal summary calls line and in summary.md, apart from the sent calls', () => {
    expect(formatTerminalSummary(notSent, { color: false })).toMatch(/calls .*not sent\s+99/);
    expect(formatTerminalSummary(passing, { color: false })).not.toContain('not sent');
    expect(renderMarkdown(notSent)).toContain(`| ${passing.counters.sent.toLocaleString('en-US')} (+99 not sent) |`);
  });
});
