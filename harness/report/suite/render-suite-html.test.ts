import { describe, expect, it } from 'vitest';
import { CELL_STATUSES } from '../../model/suite-schema.ts';
import { escapeHtml } from '../html/escape.ts';
import { renderSuiteHtml } from './render-suite-html.ts';
import { LONG_REASON, makeSyntheticSuite, NASTY_REASON, totalsOf } from './test/synthetic-suite.ts';

const suite = makeSyntheticSuite();
const html = renderSuiteHtml(suite);

/** The <td> of one cell, found by its row and column. */
function cellHtml(scenario: string, implementation: string): string {
  const row = html.match(new RegExp(`<tr data-scenario="${scenario}">[\\s\\S]*?</tr>`))?.[0];
  expect(row, scenario).toBeDefined();
  const cells = [...row!.matchAll(/<td class="cell [^"]+" data-implementation="([^"]*)"[\s\S]*?<\/td>/g)];
  const cell = cells.find((match) => match[1] === escapeHtml(implementation));
  expect(cell, `${scenario} × ${implementation}`).toBeDefined();
  return cell![0];
}

describe('index.html of a suite', () => {
  it('names the harness, node, platform, CPU, host, broker and its starts, the time and the interruption', () => {
    const environment = html.match(/<div class="env" id="environment">[\s\S]*?<\/div>\n/)![0];
    for (const fact of [
      'rpc-chaos 0.1.0',
      'v20.20.2',
      'linux x64',
      '2 × AMD EPYC 7B13',
      'ci-runner-7',
      'private RabbitMQ 3.10.8 node on 127.0.0.1:39123',
      '<span class="k">broker starts</span><span class="v">2</span>',
      '2026-12-06 21:00:00 UTC',
      '4 min 10 s, interrupted',
    ])
      expect(environment).toContain(fact);
    expect(html).toContain('<span class="verdict warn" id="verdict">INTERRUPTED</span>');
    expect(html).toContain('exit 130: interrupted by Ctrl-C');
    expect(html).not.toContain('id="interrupted"');
    const stoppedEarly = renderSuiteHtml({ ...suite, suite: { ...suite.suite, exitCode: 2 } });
    expect(stoppedEarly).toContain('<span class="bad" id="interrupted">interrupted by Ctrl-C');
    const finished = renderSuiteHtml({ ...suite, suite: { ...suite.suite, interrupted: false, exitCode: 1 } });
    expect(finished).toContain('4 min 10 s, ran to the end');
    expect(finished).toContain('<span class="verdict fail" id="verdict">FAIL</span>');
    expect(finished).not.toContain('id="interrupted"');
  });

  it('gives the total of every status, with its symbol and word', () => {
    const totals = [...html.matchAll(/<div class="total[^"]*" data-status="([^"]+)"[\s\S]*?<span class="n">(\d+)/g)];
    expect(Object.fromEntries(totals.map((m) => [m[1], Number(m[2])]))).toEqual(suite.totals);
    expect(html).toContain('<span class="badge expected-fail">⊘ expected fail</span>');
  });

  it('has a row per scenario with its description and tags, a column per implementation', () => {
    expect(html.match(/<tr data-scenario=/g)).toHaveLength(14);
    expect(html.match(/<th scope="col" data-implementation=/g)).toHaveLength(3);
    const row = html.match(/<tr data-scenario="blackhole">[\s\S]*?<\/th>/)![0];
    expect(row).toContain('the servers&#39; link, then the clients&#39; link, go silent for 8 s');
    expect(row).toContain('<div class="tags"><span>network</span><span>heartbeat</span></div>');
  });

  it('shows each implementation\'s commands under its name, escaped, or "built-in"', () => {
    expect(html).toContain('<div class="impl-name">python &lt;pika&gt; &amp; &quot;aio&quot;</div>');
    expect(html).toContain('python3 rpc_server.py --queue &quot;rpc&quot; | tee server.log');
    expect(html).toContain('python3 rpc_client_driver.py --mode &lt;naive&gt; &amp;&amp; echo done');
    expect(html).toContain('<div class="impl-cmd">client: built-in</div>');
    expect(html).not.toContain('<naive>');
    expect(html).not.toContain('<pika>');
  });

  it('gives every cell a status badge, its reason, its duration and a link to its report', () => {
    const statuses = [...html.matchAll(/<td class="cell ([a-z-]+)"/g)].map((m) => m[1]);
    expect(statuses).toHaveLength(42);
    for (const status of CELL_STATUSES)
      expect(statuses.filter((s) => s === status).length, status).toBe(suite.totals[status]);
    const partition = cellHtml('partition', 'python <pika> & "aio"');
    expect(partition).toContain(
      '<span class="badge fail" title="a check or gate failed: fails the suite">✗ fail</span>',
    );
    expect(partition).toContain(escapeHtml(NASTY_REASON));
    expect(partition).toContain('<span class="cell-time">6.3 s</span>');
    expect(partition).toContain('href="python%20%3Cpika%3E%20%26%20%22aio%22/partition/report.html"');
    expect(partition).toContain('not passed: no-cross-resolution, p99&lt;250ms');
    expect(cellHtml('blackhole', 'java')).toContain(escapeHtml(LONG_REASON));
    expect(html).not.toContain('<got>');
  });

  it('says what the suite changed in a scenario to run an implementation', () => {
    expect(cellHtml('consumer-cancel', 'python <pika> & "aio"')).toContain(
      '<div class="failed-ids">run with: requests published without confirms (external client)</div>',
    );
    expect(cellHtml('consumer-cancel', 'built-in')).not.toContain('run with:');
  });

  it('has no link and no duration in a cell that never started', () => {
    const notRun = cellHtml('consumer-cancel', 'java');
    expect(notRun).toContain('○ not run');
    expect(notRun).not.toContain('href=');
    expect(notRun).not.toContain('cell-time');
  });

  it('shows an expected failure with its declared reason and what failed, an unexpected pass with both', () => {
    const expected = cellHtml('duplicate-reply', 'python <pika> & "aio"');
    expect(expected).toContain('⊘ expected fail');
    expect(expected).toContain(
      '<span class="k">expected:</span> pika client raises on an unknown correlation id</div>' +
        '<div class="reason"><span class="k">failed:</span> check kept-working-after-stale-replies failed',
    );
    const unexpected = cellHtml('late-reply', 'java');
    expect(unexpected).toContain('✓! unexpected pass');
    expect(unexpected).toContain('<span class="k">declared to fail:</span> known: late replies are not discarded');
    expect(unexpected).toContain('<span class="k">passed:</span> 14 checks and 3 gates passed');
  });

  it('shows a scenario × implementation the suite never recorded as not run', () => {
    const cells = suite.cells.slice(1);
    const partial = renderSuiteHtml({ ...suite, cells, totals: totalsOf(cells) });
    const row = partial.match(/<tr data-scenario="duplicate-reply">[\s\S]*?<\/tr>/)![0];
    expect(row).toContain('<td class="cell not-run" data-implementation="built-in"');
    expect(row).toContain('no result recorded for this scenario and implementation');
  });

  it('loads nothing: inline styles and script only, a CSP that forbids every request', () => {
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<link|<img|<iframe|src=|url\(|@import/i);
    expect(html).not.toContain('uPlot');
    expect(html.match(/href="[^"]*"/g)!.every((href) => href.endsWith('/report.html"'))).toBe(true);
  });
});
