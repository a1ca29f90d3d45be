import { describe, expect, it } from 'vitest';
import { renderVerdicts } from './html/sections/verdicts.ts';
import { renderMarkdown } from './markdown.ts';
import { ScenarioResultSchema } from '../model/result-schema.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';
import { formatTerminalSummary } from './terminal-summary.ts';

const WARNING =
  'offered load not delivered: target 50000/s, achieved 2000/s, started 2000 of 50000 due, dropped 48000 (96 %); ' +
  'the run does not pass (set acceptUndeliveredLoad to accept it)';
const warned = makeSyntheticResult({ warnings: [WARNING] }, { durationSec: 2 });
const clean = makeSyntheticResult({}, { durationSec: 2 });

describe('warnings in the reports', () => {
  it('the terminal summary prints each warning on its own line', () => {
    const text = formatTerminalSummary(warned, { color: false });
    expect(text.split('\n')).toContain(`  WARNING: ${WARNING}`);
    expect(formatTerminalSummary(clean, { color: false })).not.toContain('WARNING');
  });

  it('summary.md shows each warning above the checks', () => {
    const markdown = renderMarkdown(warned);
    expect(markdown).toContain(`> ⚠️ **Warning:** ${WARNING}`);
    expect(markdown.indexOf('Warning:')).toBeLessThan(markdown.indexOf('### Checks'));
    expect(renderMarkdown(clean)).not.toContain('Warning:');
  });

  it('the HTML verdicts section shows each warning, escaped', () => {
    const html = renderVerdicts(makeSyntheticResult({ warnings: ['rate <b>low</b>'] }, { durationSec: 2 }));
    expect(html).toContain('<strong>Warning:</strong> rate &lt;b&gt;low&lt;/b&gt;');
    expect(renderVerdicts(clean)).not.toContain('Warning:');
  });

  it('a result.json written before warnings and offered load existed still reads', () => {
    const { warnings: _warnings, offeredLoad: _offeredLoad, ...old } = warned;
    expect(ScenarioResultSchema.safeParse(old).success).toBe(true);
  });
});
