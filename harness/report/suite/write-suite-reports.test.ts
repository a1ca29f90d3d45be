import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUITE_FILE, type SuiteResult } from '../../model/suite-schema.ts';
import { readSuite } from './suite-io.ts';
import { makeSyntheticSuite } from './test/synthetic-suite.ts';
import { writeSuiteReports } from './write-suite-reports.ts';

const freshDir = () => mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-'));

/** A suite.json as a file on disk, `edit` applied to its parsed JSON first. */
function suiteFileWith(edit: (json: Record<string, unknown>) => unknown): string {
  const dir = freshDir();
  writeSuiteReports(dir, makeSyntheticSuite());
  const file = join(dir, SUITE_FILE);
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
  return dir;
}

describe('writing and reading a suite folder', () => {
  it('writes suite.json, index.html, junit.xml and summary.md, and returns their paths', () => {
    const dir = join(freshDir(), 'nested', 'suite');
    const files = writeSuiteReports(dir, makeSyntheticSuite());
    expect(files).toEqual(['suite.json', 'index.html', 'junit.xml', 'summary.md'].map((name) => join(dir, name)));
    for (const file of files) expect(existsSync(file), file).toBe(true);
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toContain('<h1>rpc-chaos suite</h1>');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/^## rpc-chaos suite — INTERRUPTED/);
  });

  it('reads back what it wrote, from the folder or the file, defaults filled in', () => {
    const dir = freshDir();
    const suite = makeSyntheticSuite();
    const { expectedFailures: _, ...withoutDefault } = suite.implementations[0]!;
    writeSuiteReports(dir, { ...suite, implementations: [withoutDefault as never, ...suite.implementations.slice(1)] });
    expect(readSuite(dir)).toEqual(suite);
    expect(readSuite(join(dir, SUITE_FILE))).toEqual(suite);
  });

  it('refuses to write an invalid suite, naming the field, and writes nothing', () => {
    const dir = join(freshDir(), 'suite');
    const suite = makeSyntheticSuite();
    const bad = { ...suite, cells: [{ ...suite.cells[0]!, status: 'passed' }, ...suite.cells.slice(1)] };
    expect(() => writeSuiteReports(dir, bad as SuiteResult)).toThrow(
      /refusing to write an invalid suite\.json: cells\.0\.status: expected "pass" or .* got "passed"/,
    );
    expect(existsSync(dir)).toBe(false);
  });

  it('names the file and the bad field of an invalid suite.json', () => {
    const dir = suiteFileWith((json) => ({ ...json, environment: { ...(json.environment as object), cpus: -1 } }));
    expect(() => readSuite(dir)).toThrow(`${join(dir, SUITE_FILE)} is invalid: environment.cpus: must be >= 0, got -1`);
    const missing = suiteFileWith(({ totals: _, ...json }) => json);
    expect(() => readSuite(missing)).toThrow(/suite\.json is invalid: totals: missing \(expected record\)/);
  });

  it('tells a missing file, broken JSON and another schema version apart', () => {
    const empty = freshDir();
    expect(() => readSuite(empty)).toThrow(`${join(empty, SUITE_FILE)} does not exist: give a suite folder`);
    const broken = freshDir();
    writeFileSync(join(broken, SUITE_FILE), '{"schemaVersion": 1,');
    expect(() => readSuite(broken)).toThrow(`${join(broken, SUITE_FILE)} is not valid JSON`);
    const newer = suiteFileWith((json) => ({ ...json, schemaVersion: 2 }));
    expect(() => readSuite(newer)).toThrow(
      'was written by suite schema version 2, this harness reads version 1: update this rpc-chaos to read it',
    );
    const result = suiteFileWith(() => ({ verdict: 'pass' }));
    expect(() => readSuite(result)).toThrow('has no numeric schemaVersion (got undefined): it is not a suite.json');
  });
});
