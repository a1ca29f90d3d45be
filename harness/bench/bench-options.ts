/**
 * The options of `npm run bench`, parsed once into sizes every section reads. `--quick` picks
 * smaller defaults; each size also has an option of its own, so a smoke run can make every
 * section tiny and a long run can make one section longer.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { BENCH_SECTIONS, type BenchSection } from './bench-results.ts';
import { parseTargetOverrides, type TargetThresholds } from './bench-targets.ts';

/** The memory run samples RSS this often at most, and about 150 times in all. */
const MAX_RSS_SAMPLE_MS = 2_000;
const MIN_RSS_SAMPLE_MS = 100;
const RSS_SAMPLES_PER_RUN = 150;

export interface BenchOptions {
  /** JSON output file; default reports/bench-<time>.json. */
  readonly out: string | undefined;
  readonly quick: boolean;
  readonly sections: ReadonlySet<BenchSection>;
  /** Interleaved rounds per comparison. */
  readonly rounds: number;
  /** Length of one measured round of a closed-loop comparison. */
  readonly roundMs: number;
  /** The raw TCP section: its rounds (5 by default), and transfers scaled to the round length. */
  readonly tcp: { readonly rounds: number; readonly roundTrips: number; readonly bulkBytes: number };
  /** Pairs of on/off windows of the alternating tracing measurement; each window lasts min(500 ms, roundMs). */
  readonly tracingPairs: number;
  /** `npm run scenario -- duplicate-reply` runs of the start-up section. */
  readonly scenarioRuns: number;
  /** The suite section's scenarios (empty: the whole single-node catalogue), and how many of them run alone too. */
  readonly suite: { readonly scenarios: readonly string[]; readonly aloneRuns: number };
  /** The open loop's run at its target rate; the rising rates after it run min(3 s, this) each. */
  readonly openLoopMs: number;
  /** The memory run: a fifth warm-up, windows of a tenth compared. */
  readonly memoryMs: number;
  readonly rssSampleEveryMs: number;
  /** Thresholds replaced with --target name=value. */
  readonly thresholds: TargetThresholds;
  /** Exit 1 when a target fails. */
  readonly check: boolean;
}

export type ParsedBenchOptions =
  | { readonly options: BenchOptions }
  /** Problems to print (commander prints its own before returning), and the exit code (0 after --help). */
  | { readonly errors: readonly string[]; readonly exitCode: number };

function integer(min: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min)
      throw new InvalidArgumentError(`expected an integer >= ${min}, got "${value}"`);
    return parsed;
  };
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function benchProgram(): Command {
  return new Command('bench')
    .description(
      'RPC, proxy, tracing and report benchmarks; prints tables, writes JSON, and judges each target pass or FAIL',
    )
    .option('--out <file>', 'JSON output file (default reports/bench-<time>.json)')
    .option('--quick', 'smaller defaults for every size below (a short run to see that all works)', false)
    .option('--only <sections>', `comma-separated sections to run (${BENCH_SECTIONS.join(', ')}); default all`)
    .option('--rounds <n>', 'interleaved rounds per comparison (default 3, 1 with --quick)', integer(1))
    .option(
      '--round-ms <ms>',
      'length of one measured round (default 3000, 1000 with --quick); the raw TCP section scales its transfers to it',
      integer(100),
    )
    .option(
      '--tracing-pairs <n>',
      'on/off window pairs of the alternating tracing measurement (default 40, 4 with --quick)',
      integer(1),
    )
    .option(
      '--scenario-runs <n>',
      'duplicate-reply end-to-end runs of the startup section (default 3, 1 with --quick)',
      integer(1),
    )
    .option(
      '--suite-scenarios <names>',
      'comma-separated scenarios of the suite section (default the single-node catalogue; duplicate-reply,latency with --quick)',
    )
    .option(
      '--suite-alone <n>',
      "the suite's first scenarios run alone too, each on its own broker (default 3, 1 with --quick)",
      (value: string) => integer(0)(value),
    )
    .option('--open-loop-ms <ms>', "the open loop's run at 2,000/s (default 10000, 3000 with --quick)", integer(500))
    .option(
      '--memory-ms <ms>',
      'length of the memory run; below a minute it shows start-up ' +
        'growth more than leaks (default 300000, 60000 with --quick)',
      integer(5_000),
    )
    .option(
      '--target <name=value>',
      "replace a target's threshold, same operator, in the target's unit, e.g. report.open-ms=3000 (repeatable)",
      collect,
      [] as string[],
    )
    .option('--check', 'exit 1 when a target fails (FAIL in the targets table), naming it', false)
    .addHelpText(
      'after',
      '\nExit codes: 0 done (with --check: every target passed), ' +
        '1 a target failed under --check, 2 bad options or the bench could not run.',
    )
    .showHelpAfterError()
    .exitOverride();
}

export function parseBenchOptions(argv: readonly string[]): ParsedBenchOptions {
  const program = benchProgram();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return { errors: [], exitCode: error.exitCode === 0 ? 0 : 2 };
    throw error;
  }
  const raw = program.opts<{
    out?: string;
    quick: boolean;
    only?: string;
    rounds?: number;
    roundMs?: number;
    tracingPairs?: number;
    scenarioRuns?: number;
    suiteScenarios?: string;
    suiteAlone?: number;
    openLoopMs?: number;
    memoryMs?: number;
    target: string[];
    check: boolean;
  }>();
  const errors: string[] = [];
  const named =
    raw.only === undefined
      ? [...BENCH_SECTIONS]
      : raw.only
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean);
  const unknown = named.filter((name) => !(BENCH_SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0)
    errors.push(
      `--only: unknown section${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ` +
        `sections: ${BENCH_SECTIONS.join(', ')}`,
    );
  else if (named.length === 0) errors.push(`--only names no section; sections: ${BENCH_SECTIONS.join(', ')}`);
  const targets = parseTargetOverrides(raw.target);
  errors.push(...targets.errors);
  if (errors.length > 0) return { errors, exitCode: 2 };

  const quick = raw.quick;
  const roundMs = raw.roundMs ?? (quick ? 1_000 : 3_000);
  const memoryMs = raw.memoryMs ?? (quick ? 60_000 : 300_000);
  return {
    options: {
      out: raw.out,
      quick,
      sections: new Set(named as BenchSection[]),
      rounds: raw.rounds ?? (quick ? 1 : 3),
      roundMs,
      // 5,000 round trips of 64 B and 256 MB of bulk per round at the default 3 s.
      tcp: {
        rounds: raw.rounds ?? (quick ? 1 : 5),
        roundTrips: Math.round((roundMs * 5_000) / 3_000),
        bulkBytes: Math.round((roundMs * 256e6) / 3_000),
      },
      tracingPairs: raw.tracingPairs ?? (quick ? 4 : 40),
      scenarioRuns: raw.scenarioRuns ?? (quick ? 1 : 3),
      suite: {
        scenarios: (raw.suiteScenarios ?? (quick ? 'duplicate-reply,latency' : ''))
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean),
        aloneRuns: raw.suiteAlone ?? (quick ? 1 : 3),
      },
      openLoopMs: raw.openLoopMs ?? (quick ? 3_000 : 10_000),
      memoryMs,
      rssSampleEveryMs: Math.min(
        MAX_RSS_SAMPLE_MS,
        Math.max(MIN_RSS_SAMPLE_MS, Math.round(memoryMs / RSS_SAMPLES_PER_RUN)),
      ),
      thresholds: targets.thresholds,
      check: raw.check,
    },
  };
}
