import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT_HARNESS_ERROR } from '../exit-codes.ts';
import { writeResult } from '../report/result-io.ts';
import { makeSyntheticResult } from '../bench/synthetic-result.ts';

const CLI = resolve('harness/cli/report-command.ts');
const TSX = resolve('node_modules/.bin/tsx');

function report(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(TSX, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function runDir(shape: { medianMs?: number; seed?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-cli-'));
  made.push(dir);
  writeResult(dir, makeSyntheticResult({}, { durationSec: 5, ...shape }));
  return dir;
}

describe('npm run report', { timeout: 120_000 }, () => {
  it("regenerates report.html, junit.xml and summary.md from an old run's result.json", () => {
    const dir = runDir();
    const run = report(dir);
    expect(run.status).toBe(0);
    for (const name of ['report.html', 'junit.xml', 'summary.md']) expect(existsSync(join(dir, name)), name).toBe(true);
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toMatch(/^## rpc-chaos: duplicate-reply/);
  });

  it('writes compare.html and compare.md for two runs', () => {
    const out = mkdtempSync(join(tmpdir(), 'rpc-chaos-cli-out-'));
    made.push(out);
    const run = report('--compare', runDir(), runDir({ medianMs: 4, seed: 3 }), '--out', out);
    expect(run.status).toBe(0);
    expect(readFileSync(join(out, 'compare.html'), 'utf8')).toContain('id="chart-compare"');
    expect(readFileSync(join(out, 'compare.md'), 'utf8')).toContain('| p99.9 |');
  });

  it('exits 2 with a clear message for a missing run folder', () => {
    const run = report('/nonexistent/run-folder');
    expect(run.status).toBe(EXIT_HARNESS_ERROR);
    expect(run.stderr).toContain('/nonexistent/run-folder does not exist: give a run folder');
  });

  it('exits 2 naming the field of an invalid result.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-cli-bad-'));
    made.push(dir);
    const raw = JSON.parse(JSON.stringify(makeSyntheticResult({}, { durationSec: 2 })));
    raw.latency.summary.p99 = '12ms';
    writeFileSync(join(dir, 'result.json'), JSON.stringify(raw));
    const run = report(dir);
    expect(run.status).toBe(EXIT_HARNESS_ERROR);
    expect(run.stderr).toContain('latency.summary.p99: expected number, got string');
  });

  it('exits 2 when --compare is not given exactly two runs, or nothing is given', () => {
    expect(report('--compare', runDir()).status).toBe(EXIT_HARNESS_ERROR);
    const none = report();
    expect(none.status).toBe(EXIT_HARNESS_ERROR);
    expect(none.stderr).toContain('give a run folder');
  });

  it('leaves no --out folder behind when it refuses a --merge', () => {
    const parent = mkdtempSync(join(tmpdir(), 'rpc-chaos-cli-merge-'));
    made.push(parent);
    const out = join(parent, 'merged', 'run');
    const run = report('--merge', runDir(), runDir({ seed: 3 }), '--out', out);
    expect(run.status).toBe(EXIT_HARNESS_ERROR);
    expect(run.stderr).toContain('is not a segment folder (it has no segment.json)');
    expect(existsSync(join(parent, 'merged'))).toBe(false);
  });
});
