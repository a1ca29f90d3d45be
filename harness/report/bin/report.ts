/**
 * `npm run report -- <run-dir>` regenerates report.html, junit.xml and summary.md from a run's
 * result.json; `npm run report -- --compare <runA> <runB> [--out dir]` writes compare.html and
 * compare.md. Exit code 2 when a run folder or its result.json is missing or invalid.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { EXIT_HARNESS_ERROR } from '../../exit-codes.ts';
import { renderCompareHtml, renderCompareMarkdown } from '../compare.ts';
import { readResult } from '../result-io.ts';
import { writeReports } from '../write-reports.ts';

const program = new Command('report')
  .description('Regenerate reports from result.json, or compare two runs')
  .argument('[run-dir]', 'a run folder (reports/<scenario>-<time>) or its result.json')
  .option('--compare <runs...>', 'two run folders to compare: A then B')
  .option('--out <dir>', 'where compare.html and compare.md go (default: the current folder)')
  .showHelpAfterError()
  .exitOverride();

try {
  program.parse();
  const options = program.opts<{ compare?: string[]; out?: string }>();
  const [runDir] = program.args;
  if (options.compare) {
    if (options.compare.length !== 2) throw new Error(`--compare takes exactly two run folders, got ${options.compare.length}`);
    const [a, b] = options.compare.map((dir) => readResult(dir)) as [ReturnType<typeof readResult>, ReturnType<typeof readResult>];
    const out = options.out ?? '.';
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'compare.html'), renderCompareHtml(a, b));
    writeFileSync(join(out, 'compare.md'), renderCompareMarkdown(a, b));
    console.log(`written: ${join(out, 'compare.html')}, ${join(out, 'compare.md')}`);
  } else {
    if (!runDir) throw new Error('give a run folder, e.g. npm run report -- reports/duplicate-reply-2026-11-25T10-00-00-000');
    const files = writeReports(runDir.endsWith('result.json') ? join(runDir, '..') : runDir, readResult(runDir));
    console.log(`written: ${files.join(', ')}`);
  }
} catch (error) {
  const exitCode = (error as { exitCode?: number }).exitCode;
  if (exitCode === undefined) console.error(`report: ${(error as Error).message}`);
  process.exit(exitCode === 0 ? 0 : EXIT_HARNESS_ERROR);
}
