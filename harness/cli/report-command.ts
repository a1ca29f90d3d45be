/**
 * `npm run report -- <run-dir>` regenerates report.html, junit.xml and summary.md from a run's
 * result.json; `npm run report -- --compare <runA> <runB> [--out dir]` writes compare.html and
 * compare.md; `npm run report -- --merge <segment-dir>... [--out dir]` merges the folders of
 * a segmented run into one run folder and exits as a run does (0 pass, 1 fail, 2 error).
 * Exit code 2 when a run folder or its result.json is missing or invalid.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { makeDirectory } from '../env/output-paths.ts';
import { EXIT_HARNESS_ERROR, EXIT_PASS, exitCodeOf } from '../exit-codes.ts';
import { mergeSegments } from '../segment/merge-segments.ts';
import { formatTerminalSummary } from '../report/terminal-summary.ts';
import { readResult, RESULT_FILE, resultFileOf, writeResult } from '../report/result-io.ts';
import { existsSync } from 'node:fs';
import { renderCompareMarkdown } from '../report/compare.ts';
import { renderCompareHtml } from '../report/html/render-compare.ts';
import { writeReports } from '../report/write-reports.ts';
import { invokedAs } from './invoked-as.ts';

const program = new Command(invokedAs('report'))
  .description("Regenerate report.html, junit.xml and summary.md from a run's result.json, or compare two runs")
  .argument('[run-dir]', 'a run folder (reports/<scenario>-<time>) or its result.json')
  .option('--compare <runs...>', 'two run folders to compare: A (before) then B (after)')
  .option(
    '--merge <dirs...>',
    'the folders of one segmented run (every --segment k/K and the --role servers run) to merge into one run',
  )
  .option(
    '--out <dir>',
    'where compare.html and compare.md go (default: the current folder); ' +
      'with --merge, the merged run folder (default reports/merged-<time>)',
  )
  .option('--overwrite', 'with --merge: replace a run the --out folder already holds', false)
  .showHelpAfterError()
  .exitOverride();

try {
  program.parse();
  const options = program.opts<{ compare?: string[]; merge?: string[]; out?: string; overwrite: boolean }>();
  const [runDir] = program.args;
  if (options.merge) {
    if (options.compare || runDir)
      throw new Error('--merge takes the segment folders itself; give no run folder and no --compare with it');
    const out =
      options.out ?? join('reports', `merged-${new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '')}`);
    if (existsSync(join(out, RESULT_FILE)) && !options.overwrite)
      throw new Error(`${out} already holds a run (${RESULT_FILE}); choose another --out or pass --overwrite`);
    // Creates `out` only once the folders are found to be one run.
    const result = await mergeSegments(options.merge, out);
    writeResult(out, result);
    writeReports(out, result);
    console.log(formatTerminalSummary(result, { color: Boolean(process.stdout.isTTY) }));
    console.log(`\nmerged run folder: ${out}  (report.html, result.json, junit.xml, summary.md)`);
    process.exit(exitCodeOf(result.verdict));
  } else if (options.compare) {
    if (options.compare.length !== 2)
      throw new Error(
        `--compare takes exactly two run folders (A then B), ` +
          `got ${options.compare.length}: ${options.compare.join(' ')}`,
      );
    const [a, b] = [readResult(options.compare[0]!), readResult(options.compare[1]!)];
    const out = options.out ?? '.';
    makeDirectory(out);
    writeFileSync(join(out, 'compare.html'), renderCompareHtml(a, b));
    writeFileSync(join(out, 'compare.md'), renderCompareMarkdown(a, b));
    console.log(`written: ${join(out, 'compare.html')}, ${join(out, 'compare.md')}`);
  } else {
    if (!runDir)
      throw new Error(
        `give a run folder, e.g. ${invokedAs('npm run report --')} ` +
          'reports/duplicate-reply-2026-11-25T10-00-00-000Z ' +
          '(or --compare <runA> <runB>)',
      );
    const files = writeReports(dirname(resultFileOf(runDir)), readResult(runDir));
    console.log(`written: ${files.join(', ')}`);
  }
} catch (error) {
  // Commander has already printed its own usage errors; it marks them with an exitCode.
  const exitCode = (error as { exitCode?: number }).exitCode;
  if (exitCode === undefined) console.error(`report: ${(error as Error).message}`);
  process.exit(exitCode === EXIT_PASS ? EXIT_PASS : EXIT_HARNESS_ERROR);
}
