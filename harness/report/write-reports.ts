import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReportHtml } from './html/render-report.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import type { ScenarioResult } from '../model/result-schema.ts';

/** Writes report.html, junit.xml and summary.md next to result.json; each reads only the result. */
export function writeReports(runDir: string, result: ScenarioResult): string[] {
  const outputs: Array<[string, string]> = [
    ['report.html', renderReportHtml(result)],
    ['junit.xml', renderJunit(result)],
    ['summary.md', renderMarkdown(result)],
  ];
  return outputs.map(([name, content]) => {
    const file = join(runDir, name);
    writeFileSync(file, content);
    return file;
  });
}
