import { describe, expect, it } from 'vitest';
import type { SuiteCell } from '../../model/suite-schema.ts';
import { renderSuiteMarkdown, SUMMARY_BUDGET_BYTES, text } from './render-suite-markdown.ts';
import { LONG_REASON, makeSyntheticSuite, totalsOf } from './test/synthetic-suite.ts';

const suite = makeSyntheticSuite();
const markdown = renderSuiteMarkdown(suite);
const lines = markdown.split('\n');
const tableRows = lines.filter((line) => line.startsWith('|'));

/** A table row's cells, split on the pipes that are not escaped. */
function cellsOf(row: string): string[] {
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((cell) => cell.trim());
}

/** A matrix of `scenarios` × `implementations`, every cell failing with `reason`. */
function failingSuite(scenarios: number, implementations: number, reason: string) {
  const base = makeSyntheticSuite();
  const names = Array.from({ length: implementations }, (_, i) => `impl-${i}`);
  const rows = Array.from({ length: scenarios }, (_, i) => ({ name: `scenario-${i}`, description: 'd', tags: [] }));
  const cells: SuiteCell[] = names.flatMap((implementation) =>
    rows.map((row) => ({
      scenario: row.name,
      implementation,
      status: 'fail' as const,
      reason,
      runDir: `${implementation}/${row.name}`,
      durationMs: 1000,
      failed: ['calls-answered'],
    })),
  );
  return {
    ...base,
    scenarios: rows,
    implementations: names.map((name) => ({ name, expectedFailures: [] })),
    cells,
    totals: totalsOf(cells),
  };
}

describe('summary.md of a suite', () => {
  it('opens with the verdict, the totals and what the exit code means', () => {
    expect(lines[0]).toBe(
      '## rpc-chaos suite — INTERRUPTED: 33 ✓ pass · 2 ✗ fail · 2 ⊘ expected fail · 1 ✓! unexpected pass · ' +
        '1 ! error · 1 ‖ interrupted · 1 ○ not run · 1 – does not apply',
    );
    expect(markdown).toContain('\nExit code 130: interrupted by Ctrl-C: the finished cells are kept.\n');
    expect(markdown).toContain('private RabbitMQ 3.10.8, 2 broker starts · rpc-chaos 0.1.0 · node v20.20.2');
  });

  it('names each implementation with its commands, escaped for markdown', () => {
    expect(markdown).toContain('- **built-in**: server built-in, client built-in');
    expect(markdown).toContain(
      '- **python &lt;pika&gt; &amp; "aio"**: server python3 rpc\\_server.py --queue "rpc" \\| tee server.log, ' +
        'client python3 rpc\\_client\\_driver.py --mode &lt;naive&gt; &amp;&amp; echo done',
    );
  });

  it('tables scenarios × implementations with a status word, a symbol and a shortened reason', () => {
    expect(tableRows).toHaveLength(2 + 14);
    expect(cellsOf(tableRows[0]!)).toEqual(['scenario', 'built-in', 'python &lt;pika&gt; &amp; "aio"', 'java']);
    expect(tableRows[1]).toBe('|---|---|---|---|');
    for (const row of tableRows.slice(2)) expect(cellsOf(row)).toHaveLength(4);
    const partition = cellsOf(tableRows.find((row) => row.startsWith('| partition '))!);
    expect(partition[2]).toBe(
      '✗ fail: check no-cross-resolution failed: call 15 &lt;got&gt; reply of call 16 &amp; "x" \\| \'y\'',
    );
    const blackhole = cellsOf(tableRows.find((row) => row.startsWith('| blackhole '))!);
    expect(blackhole[3]).toMatch(/^✗ fail: check kept-working-after-stale-replies failed: .{20,}…$/);
    expect(blackhole[3]!.length).toBeLessThan(120);
    const consumerCancel = cellsOf(tableRows.find((row) => row.startsWith('| consumer-cancel '))!);
    expect(consumerCancel[3]).toBe('○ not run: the suite was interrupted before it started');
    const lateReply = cellsOf(tableRows.find((row) => row.startsWith('| late-reply '))!);
    expect(lateReply[3]).toBe('✓! unexpected pass: 14 checks and 3 gates passed');
    // A pass is the same in every row: status alone, so what differs stands out.
    expect(lateReply[1]).toBe('✓ pass');
    expect(cellsOf(tableRows.find((row) => row.startsWith('| bad-input '))!)[3]).toBe(
      '⊘ expected fail: check no-bad-replies failed: 3 bad replies',
    );
  });

  it('lists the cells to look at with their full reasons and run folders', () => {
    const list = lines.filter((line) => line.startsWith('- **') && line.includes(' × '));
    expect(list.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      '- **✗ fail** partition × python &lt;pika&gt; &amp; "aio"',
      '- **✗ fail** blackhole × java',
      '- **! error** broker-restart × java',
      '- **‖ interrupted** memory-alarm × java',
      '- **✓! unexpected pass** late-reply × java (declared to fail',
    ]);
    expect(list[1]).toContain(text(LONG_REASON));
    expect(list[1]).toContain('run folder `java/blackhole`');
    expect(list[0]).toContain('run folder `python <pika> & "aio"/partition`');
    expect(list[3]).toContain('stopped by Ctrl-C after 2.1 s');
  });

  it('escapes what markdown or GitHub would read as markup, and keeps each value on one line', () => {
    expect(text('a|b\nc <img src=x> & `code` *bold* [link](x) \\')).toBe(
      'a\\|b c &lt;img src=x&gt; &amp; \\`code\\` \\*bold\\* \\[link\\](x) \\\\',
    );
  });

  it('cuts a long reason between characters, never inside one', () => {
    const cut = renderSuiteMarkdown(failingSuite(1, 1, '𝄞'.repeat(200)));
    const row = cut.split('\n').find((line) => line.startsWith('| scenario-0 '))!;
    expect(row).toBe(`| scenario-0 | ✗ fail: ${'𝄞'.repeat(89)}… |`);
    expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('stays under 100 KB when every reason is long, cutting the list and saying how many it left out', () => {
    const huge = renderSuiteMarkdown(failingSuite(30, 3, `${LONG_REASON} `.repeat(40)));
    expect(Buffer.byteLength(huge)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES);
    expect(huge.split('\n').filter((line) => line.startsWith('|'))).toHaveLength(32);
    expect(huge).toMatch(/…and \d+ more: see index.html and junit.xml in the suite folder\./);
  });

  it('stays under 100 KB for a matrix too large to table with reasons', () => {
    const wide = renderSuiteMarkdown(failingSuite(400, 12, LONG_REASON));
    expect(Buffer.byteLength(wide)).toBeLessThanOrEqual(SUMMARY_BUDGET_BYTES);
    expect(wide).toContain('| scenario-0 | ✗ fail | ✗ fail |');
    expect(wide).toMatch(/…and \d+ more scenarios: see index.html/);
  });

  it('says so when every cell passed, with no list', () => {
    const cells = suite.cells.map((cell) => ({ ...cell, status: 'pass' as const }));
    const green = renderSuiteMarkdown({
      ...suite,
      suite: { ...suite.suite, interrupted: false, exitCode: 0 },
      cells,
      totals: totalsOf(cells),
    });
    expect(green.split('\n')[0]).toBe('## rpc-chaos suite — PASS: 42 ✓ pass');
    expect(green).toContain('Exit code 0: every cell passed (or failed as declared).');
    expect(green).not.toContain('Cells to look at');
  });
});
