import { z } from 'zod';

/**
 * SuiteResult: what `rpc-chaos suite` ran and how each run ended (suite.json, beside one run
 * folder per scenario × implementation). index.html, junit.xml and summary.md render it; each
 * cell's own result.json stays the source of truth of its run. Bump SUITE_SCHEMA_VERSION on
 * any change that an older reader could misread.
 */
export const SUITE_SCHEMA_VERSION = 1;
export const SUITE_FILE = 'suite.json';

const count = z.number().int().nonnegative();

/** How a cell ended, as a test suite's known failures work: an expected failure does not fail the suite. */
export const CELL_STATUSES = [
  'pass',
  'fail',
  /** Failed, as the implementation declared it would (with a reason). */
  'expected-fail',
  /** Declared as an expected failure, but passed: reported, does not fail the suite. */
  'unexpected-pass',
  /** The harness could not run it (result verdict "error"). */
  'error',
  /** Stopped by Ctrl-C while it ran. */
  'interrupted',
  /** Not started: the suite was interrupted before it. */
  'not-run',
  /** The scenario cannot drive this implementation (e.g. malformed requests through the line protocol): why, in the reason. */
  'not-applicable',
] as const;
export type CellStatus = (typeof CELL_STATUSES)[number];

export const ExpectedFailureSchema = z.object({
  scenario: z.string().min(1),
  reason: z.string().min(1),
});
export type ExpectedFailure = z.infer<typeof ExpectedFailureSchema>;

/** One column of the matrix: an implementation under test (the built-ins, or commands). */
export const SuiteImplementationSchema = z.object({
  name: z.string().min(1),
  /** The server command (run via /bin/sh -c per server); absent: the built-in server. */
  serverCommand: z.string().min(1).optional(),
  /** The client command (line protocol); absent: the built-in client. */
  clientCommand: z.string().min(1).optional(),
  expectedFailures: z.array(ExpectedFailureSchema).default([]),
});
export type SuiteImplementation = z.infer<typeof SuiteImplementationSchema>;

export const SuiteCellSchema = z.object({
  scenario: z.string().min(1),
  implementation: z.string().min(1),
  status: z.enum(CELL_STATUSES),
  /**
   * One line: why it failed (the diagnosis's first failed check or gate), or what passed
   * ("14 checks and 3 gates passed"), or why it did not run.
   */
  reason: z.string(),
  /** The declared reason of an expected failure. */
  expectedFailReason: z.string().optional(),
  /** The run folder, relative to the suite folder (absent for a cell that never started). */
  runDir: z.string().optional(),
  durationMs: z.number().nonnegative().optional(),
  /** Checks and gates that failed, by id / expression. */
  failed: z.array(z.string()).default([]),
  /** What the suite changed in the scenario for this implementation (e.g. no publisher confirms for an external client). */
  adjustments: z.array(z.string()).optional(),
});
export type SuiteCell = z.infer<typeof SuiteCellSchema>;

export const SuiteResultSchema = z.object({
  schemaVersion: z.literal(SUITE_SCHEMA_VERSION),
  suite: z.object({
    id: z.string(),
    startedAt: z.iso.datetime(),
    endedAt: z.iso.datetime(),
    durationMs: z.number().nonnegative(),
    interrupted: z.boolean(),
    /** The exit code the suite ended with: 0 all passed, 1 a cell failed, 2 could not run, 130 interrupted. */
    exitCode: z.number().int(),
  }),
  environment: z.object({
    harnessVersion: z.string(),
    node: z.string(),
    platform: z.string(),
    cpus: count,
    cpuModel: z.string(),
    hostname: z.string(),
    /** The broker the cells shared, e.g. "private RabbitMQ 3.10.8 node on 127.0.0.1:39123". */
    broker: z.object({ kind: z.string(), version: z.string(), description: z.string() }).optional(),
    /** How many broker starts the suite made for all its cells (1 when one node served every cell). */
    brokerStarts: count,
  }),
  /** Rows, in the order they ran. */
  scenarios: z.array(z.object({ name: z.string(), description: z.string(), tags: z.array(z.string()) })),
  /** Columns. */
  implementations: z.array(SuiteImplementationSchema),
  cells: z.array(SuiteCellSchema),
  totals: z.record(z.enum(CELL_STATUSES), count),
});
export type SuiteResult = z.infer<typeof SuiteResultSchema>;
