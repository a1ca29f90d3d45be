import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteResult } from '../../model/suite-schema.ts';
import { renderSuiteHtml } from './render-suite-html.ts';
import { renderSuiteJunit } from './render-suite-junit.ts';
import { renderSuiteMarkdown } from './render-suite-markdown.ts';
import { writeSuite } from './suite-io.ts';

/**
 * Writes suite.json (validated first, so nothing is rendered from a result that could not be read
 * back), then index.html, junit.xml and summary.md, each rendered from it alone. Returns the paths.
 */
export function writeSuiteReports(suiteDir: string, suite: SuiteResult): string[] {
  const written = writeSuite(suiteDir, suite);
  const outputs: Array<[string, string]> = [
    ['index.html', renderSuiteHtml(written.suite)],
    ['junit.xml', renderSuiteJunit(written.suite)],
    ['summary.md', renderSuiteMarkdown(written.suite)],
  ];
  return [
    written.file,
    ...outputs.map(([name, content]) => {
      const file = join(suiteDir, name);
      writeFileSync(file, content);
      return file;
    }),
  ];
}
