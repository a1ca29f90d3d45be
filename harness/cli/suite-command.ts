/**
 * `rpc-chaos suite [options]` (in this repository `npm run suite -- [options]`): the single-node
 * catalogue, or the scenarios and tags given, against the implementations given, one run after
 * another on one shared broker. Writes a suite folder (suite.json, index.html, junit.xml,
 * summary.md, one run folder per scenario × implementation) and exits 0 when every cell passed
 * or failed as declared, 1 when a cell failed, 2 when the suite or a cell could not run, 130 on
 * Ctrl-C (after writing what finished).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { onAbandon, onInterrupt } from '../env/process-cleanup.ts';
import { BROKER_CHOICES, type BrokerChoice } from '../env/select-broker.ts';
import { PROXY_CHOICES, type ProxyChoice } from '../env/select-proxy.ts';
import { EXIT_HARNESS_ERROR, EXIT_INTERRUPTED } from '../exit-codes.ts';
import { SUITE_FILE, type SuiteImplementation } from '../model/suite-schema.ts';
import { writeSuiteReports } from '../report/suite/write-suite-reports.ts';
import { formatSuiteTerminal } from '../report/suite/suite-terminal.ts';
import { planCells } from '../suite/plan-cells.ts';
import { runSuite } from '../suite/run-suite.ts';
import { catalogueTags, selectScenarios, splitSelectors } from '../suite/select-scenarios.ts';
import { implementationFromCommands, readImplementationsFile } from '../suite/suite-implementations.ts';
import { SCENARIOS } from '../../scenarios/index.ts';
import { parseDuration } from './parse-duration.ts';
import { createProgressDisplay } from './progress-display.ts';
import { claimRunFolder } from './run-folder.ts';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function integer(min: number, max: number) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value.trim()) || parsed < min || parsed > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got "${value}"`);
    return parsed;
  };
}

const program = new Command('suite')
  .description(
    'Run the single-node scenario catalogue (or the scenarios and tags given) against your RPC server and ' +
      'client, one scenario after another on one RabbitMQ node, and write a matrix of the verdicts',
  )
  .option(
    '--scenarios <names-or-tags>',
    `comma-separated scenario names or tags (repeatable); tags: ${catalogueTags(SCENARIOS).join(', ')}`,
    collect,
    [] as string[],
  )
  .option('--tag <tag>', 'the scenarios with this tag (repeatable; same as --scenarios <tag>)', collect, [] as string[])
  .option('--server-cmd <command>', 'the server under test: run for each server (via /bin/sh -c), AMQP_URL set')
  .option('--client-cmd <command>', 'the client under test: run for each client; speaks the line protocol')
  .option('--name <name>', 'the column name of --server-cmd/--client-cmd (default: their program names)')
  .option(
    '--implementations <file>',
    'JSON list of implementations side by side: [{ name, serverCommand?, clientCommand?, ' +
      'expectedFailures?: [{ scenario, reason }] }]',
  )
  .option('--out <dir>', 'suite folder (default reports/suite-<time>)')
  .option('--overwrite', 'replace a suite the --out folder already holds', false)
  .option(
    '--gate <expression>',
    'a gate added to every scenario, e.g. "errors==0" (repeatable)',
    collect,
    [] as string[],
  )
  .addOption(new Option('--broker <kind>', 'as for a single run').choices(BROKER_CHOICES as string[]).default('auto'))
  .addOption(new Option('--proxy <kind>', 'as for a single run').choices(PROXY_CHOICES as string[]).default('auto'))
  .option('--seed <n>', 'seed of the first cell (each next cell adds 1)', integer(0, 2 ** 31 - 1))
  .option('--ready-timeout <duration>', 'how long an external server or client may take to become ready', duration)
  .option('--no-tracing', 'turn tracing off')
  .option('--dry-run', 'print the cells the suite would run, and why some would not, then exit', false)
  .addHelpText(
    'after',
    '\nExit codes: 0 every cell passed (or failed as declared), 1 a cell failed, 2 could not run, 130 interrupted.',
  )
  .showHelpAfterError()
  .exitOverride();

interface SuiteFlags {
  scenarios: string[];
  tag: string[];
  serverCmd?: string;
  clientCmd?: string;
  name?: string;
  implementations?: string;
  out?: string;
  overwrite: boolean;
  gate: string[];
  broker: BrokerChoice;
  proxy: ProxyChoice;
  seed?: number;
  readyTimeout?: number;
  tracing: boolean;
  dryRun: boolean;
}

function parseFlags(): SuiteFlags | number {
  try {
    program.parse();
  } catch (error) {
    return (error as { exitCode?: number }).exitCode === 0 ? 0 : EXIT_HARNESS_ERROR;
  }
  return program.opts<SuiteFlags>();
}

function implementationsOf(flags: SuiteFlags, scenarioNames: readonly string[]): SuiteImplementation[] {
  if (flags.implementations !== undefined) {
    if (flags.serverCmd || flags.clientCmd || flags.name)
      throw new Error('--implementations lists every column; leave out --server-cmd, --client-cmd and --name');
    return readImplementationsFile(flags.implementations, scenarioNames);
  }
  return [
    implementationFromCommands({ serverCommand: flags.serverCmd, clientCommand: flags.clientCmd, name: flags.name }),
  ];
}

async function main(): Promise<number> {
  const flags = parseFlags();
  if (typeof flags === 'number') return flags;
  const selected = selectScenarios(SCENARIOS, splitSelectors([...flags.scenarios, ...flags.tag]));
  const problems = [...selected.errors];
  let implementations: SuiteImplementation[] = [];
  try {
    implementations = implementationsOf(
      flags,
      SCENARIOS.map((scenario) => scenario.name),
    );
  } catch (error) {
    problems.push((error as Error).message);
  }
  const plan = planCells(selected.scenarios, implementations, {
    gates: flags.gate,
    overrides: { readyTimeoutMs: flags.readyTimeout },
  });
  problems.push(...plan.errors);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  const suiteDir = flags.out ?? join('reports', `suite-${stamp}`);
  if (!flags.overwrite && existsSync(join(suiteDir, SUITE_FILE)))
    problems.push(`${suiteDir} already holds a suite (${SUITE_FILE}); choose another --out, or add --overwrite`);
  if (problems.length > 0) {
    console.error(`cannot run the suite:\n  - ${problems.join('\n  - ')}`);
    return EXIT_HARNESS_ERROR;
  }
  if (flags.dryRun) {
    for (const cell of plan.cells)
      console.log(
        `${cell.scenario.name} × ${cell.implementation.name}: ${cell.kind === 'run' ? 'runs' : `does not apply: ${cell.reason}`}`,
      );
    return 0;
  }
  return runInterruptibly(flags, suiteDir, selected.scenarios, implementations, plan.cells);
}

async function runInterruptibly(
  flags: SuiteFlags,
  suiteDir: string,
  scenarios: Parameters<typeof runSuite>[0]['scenarios'],
  implementations: SuiteImplementation[],
  cells: Parameters<typeof runSuite>[0]['cells'],
): Promise<number> {
  const abort = new AbortController();
  const interactive = Boolean(process.stderr.isTTY);
  let display = createProgressDisplay(false, '');
  let finished: Promise<unknown> | undefined;
  let written = false;
  onInterrupt(async (signal) => {
    abort.abort();
    // The live line stops first, so the interrupt message stays readable.
    display.stop();
    process.stderr.write(
      `\ninterrupted (${signal}): stopping the running scenario, writing what finished, tearing down ` +
        '(again to kill at once)\n',
    );
    await finished;
  });
  onAbandon(() => (written ? [] : [`the suite's reports in ${suiteDir} are not written`]));
  const run = runSuite({
    suiteDir,
    scenarios,
    implementations,
    cells,
    broker: flags.broker,
    proxy: flags.proxy,
    seed: flags.seed ?? Math.floor(Math.random() * 2 ** 30),
    tracingEnabled: flags.tracing,
    signal: abort.signal,
    claimCellFolder: (dir) => claimRunFolder(dir, { overwrite: flags.overwrite }),
    onCellStart: ({ index, total, scenario, implementation }) => {
      // After Ctrl-C no new live line: the cells left are only marked as not run.
      if (abort.signal.aborted) return;
      display = createProgressDisplay(interactive, `[${index + 1}/${total}] ${scenario} × ${implementation}`);
    },
    onPhase: (phase) => display.phase(phase),
    onProgress: (progress) => display.update(progress),
    onCellEnd: (cell, index) => {
      display.stop();
      const took = cell.durationMs === undefined ? '' : ` ${(cell.durationMs / 1000).toFixed(1)} s`;
      process.stderr.write(
        `[${index + 1}/${cells.length}] ${cell.scenario} × ${cell.implementation}: ${cell.status.toUpperCase()}${took}` +
          `${cell.status === 'pass' ? '' : ` — ${cell.reason}`}\n`,
      );
    },
    onNote: (note) => process.stderr.write(`${note}\n`),
  });
  finished = run;
  const suite = await run;
  display.stop();
  writeSuiteReports(suiteDir, suite);
  written = true;
  console.log(formatSuiteTerminal(suite, { color: Boolean(process.stdout.isTTY) }));
  console.log(`\nsuite folder: ${suiteDir}  (index.html, junit.xml, summary.md, suite.json)`);
  return abort.signal.aborted ? EXIT_INTERRUPTED : suite.suite.exitCode;
}

process.exit(await main());
