/**
 * `npm run suite` as a user runs it, on the single-node catalogue against the built-ins (the
 * 3-minute figure), and what sharing its broker saves: the first scenarios run again alone, each
 * on a private node of its own, their run times compared with the same cells' in the suite.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../build/programs.ts';
import { SuiteResultSchema } from '../model/suite-schema.ts';
import { measureScenarioRun } from './startup-bench.ts';

export interface SuiteBenchResult {
  readonly scenarios: readonly string[];
  /** The suite ran the whole single-node catalogue (no --suite-scenarios): the 3-minute target applies. */
  readonly wholeCatalogue: boolean;
  /** From `npm run suite` to its exit. */
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly brokerStarts: number;
  readonly cells: ReadonlyArray<{ readonly scenario: string; readonly status: string; readonly runMs: number }>;
  /** Scenarios run alone, each with its own broker: run.durationMs alone and in the suite. */
  readonly alone: ReadonlyArray<{
    readonly scenario: string;
    readonly aloneRunMs: number;
    readonly suiteRunMs: number;
  }>;
}

export async function benchSuite(options: {
  scenarios: readonly string[];
  aloneRuns: number;
}): Promise<SuiteBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-suite-bench-'));
  try {
    const args = ['run', '--silent', 'suite', '--', '--out', join(dir, 'suite')];
    if (options.scenarios.length > 0) args.push('--scenarios', options.scenarios.join(','));
    const started = performance.now();
    const child = spawn('npm', args, {
      cwd: REPO_ROOT,
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-3000)));
    const exitCode = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const wallMs = performance.now() - started;
    let suite: ReturnType<typeof SuiteResultSchema.parse>;
    try {
      suite = SuiteResultSchema.parse(JSON.parse(readFileSync(join(dir, 'suite', 'suite.json'), 'utf8')));
    } catch (error) {
      throw new Error(
        `the suite (exit ${exitCode}) wrote no readable suite.json: ${(error as Error).message}\n${stderr}`,
      );
    }
    const cells = suite.cells.map((cell) => ({
      scenario: cell.scenario,
      status: cell.status,
      runMs: cell.durationMs ?? 0,
    }));
    const alone = [];
    for (const cell of cells.slice(0, options.aloneRuns)) {
      const run = await measureScenarioRun(cell.scenario);
      alone.push({ scenario: cell.scenario, aloneRunMs: run.runMs, suiteRunMs: cell.runMs });
    }
    return {
      scenarios: suite.scenarios.map((scenario) => scenario.name),
      wholeCatalogue: options.scenarios.length === 0,
      wallMs,
      exitCode,
      brokerStarts: suite.environment.brokerStarts,
      cells,
      alone,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
