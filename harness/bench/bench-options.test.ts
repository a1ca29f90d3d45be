import { describe, expect, it, vi } from 'vitest';
import { BENCH_SECTIONS } from './bench-results.ts';
import { parseBenchOptions, type BenchOptions } from './bench-options.ts';

function options(argv: string[]): BenchOptions {
  const parsed = parseBenchOptions(argv);
  if (!('options' in parsed)) throw new Error(`refused: ${parsed.errors.join('; ')}`);
  return parsed.options;
}

describe('npm run bench options', () => {
  it('runs every section at full size by default, and --quick shortens every size', () => {
    const full = options([]);
    expect([...full.sections]).toEqual([...BENCH_SECTIONS]);
    expect(full).toMatchObject({
      rounds: 3,
      roundMs: 3_000,
      tracingPairs: 40,
      scenarioRuns: 3,
      openLoopMs: 10_000,
      memoryMs: 300_000,
      rssSampleEveryMs: 2_000,
      check: false,
    });
    expect(full.tcp).toEqual({ rounds: 5, roundTrips: 5_000, bulkBytes: 256e6 });
    expect(options(['--quick'])).toMatchObject({
      rounds: 1,
      roundMs: 1_000,
      tracingPairs: 4,
      scenarioRuns: 1,
      openLoopMs: 3_000,
      memoryMs: 60_000,
      rssSampleEveryMs: 400,
    });
  });

  it('takes a size of its own for each section, small enough for a smoke run of all of them', () => {
    const tiny = options([
      '--round-ms',
      '300',
      '--rounds',
      '1',
      '--tracing-pairs',
      '2',
      '--scenario-runs',
      '1',
      '--open-loop-ms',
      '1000',
      '--memory-ms',
      '5000',
      '--only',
      'memory, tap',
      '--target',
      'report.open-ms=3000',
      '--check',
    ]);
    expect(tiny).toMatchObject({
      roundMs: 300,
      rounds: 1,
      tracingPairs: 2,
      scenarioRuns: 1,
      openLoopMs: 1_000,
      memoryMs: 5_000,
      thresholds: { 'report.open-ms': 3_000 },
      check: true,
    });
    expect(tiny.tcp).toEqual({ rounds: 1, roundTrips: 500, bulkBytes: 25.6e6 });
    // About 150 RSS samples a run, never more often than every 100 ms.
    expect(tiny.rssSampleEveryMs).toBe(100);
    expect([...tiny.sections]).toEqual(['memory', 'tap']);
  });

  it('refuses unknown sections and malformed targets together, with exit code 2', () => {
    const parsed = parseBenchOptions(['--only', 'rpc,cpu,disk', '--target', 'nope=1']);
    expect(parsed).toMatchObject({ exitCode: 2 });
    const errors = 'errors' in parsed ? parsed.errors : [];
    expect(errors[0]).toBe(`--only: unknown sections cpu, disk; sections: ${BENCH_SECTIONS.join(', ')}`);
    expect(errors[1]).toContain('--target "nope=1": unknown target "nope"');
  });

  it('refuses a size too small to measure anything, as commander reports it, with exit code 2', () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(parseBenchOptions(['--memory-ms', '1000'])).toEqual({ errors: [], exitCode: 2 });
      expect(stderr.mock.calls.map(([text]) => String(text)).join('')).toContain(
        'expected an integer >= 5000, got "1000"',
      );
    } finally {
      stderr.mockRestore();
    }
  });
});
