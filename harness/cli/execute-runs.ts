import { join } from 'node:path';
import { checkOutputPath } from '../env/output-paths.ts';
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import { EXIT_FAILED, EXIT_HARNESS_ERROR, EXIT_INTERRUPTED, EXIT_PASS } from '../exit-codes.ts';
import { applyGates, prepareGates, type PreparedGates } from '../gate/apply-gates.ts';
import { writeResult } from '../report/result-io.ts';
import { formatTerminalSummary } from '../report/terminal-summary.ts';
import { writeReports } from '../report/write-reports.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { applyOverrides, type ScenarioOverrides } from '../scenario/apply-overrides.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { createProgressDisplay } from './progress-display.ts';
import { claimRunFolder, type ClaimedRunFolder } from './run-folder.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { ClientPriority } from '../env/realtime-priority.ts';
import { planParticipant } from '../segment/plan-participant.ts';
import type { SegmentRun } from '../segment/segment-run.ts';
import type { SegmentRequest } from '../segment/segment-spec.ts';

export interface CliRunOptions {
  readonly definition: ScenarioDefinition;
  readonly overrides: ScenarioOverrides;
  readonly broker: BrokerChoice;
  readonly proxy: ProxyChoice;
  readonly seed: number;
  readonly runDir: string;
  readonly json: boolean;
  readonly gates: readonly string[];
  readonly saveBaseline?: string;
  readonly baseline?: string;
  readonly tolerancePct: number;
  readonly repeat: number;
  readonly tracingEnabled: boolean;
  readonly interactive: boolean;
  /** Replace an earlier run in runDir instead of refusing the folder. */
  readonly overwrite: boolean;
  /** Use a named request queue even when it already has messages or consumers. */
  readonly allowBusyQueue: boolean;
  /** One participant of a segmented run (`--segment k/K`, `--role servers`); absent: a whole run. */
  readonly segment?: SegmentRequest;
  /** `--client-priority`: 'realtime' runs the client processes under SCHED_FIFO. */
  readonly clientPriority?: ClientPriority;
}

/**
 * Validates everything first (scenario overrides, gate expressions, baseline file, output
 * paths) so a mistake costs no broker start, claims the run folder, then runs the scenario
 * (N times with --repeat), applies gates and the baseline, writes each run folder and prints
 * the summary. Returns the exit code.
 */
export async function executeRuns(options: CliRunOptions, signal: AbortSignal): Promise<number> {
  const whole = applyOverrides(options.definition, options.overrides);
  const { errors } = whole;
  const participant =
    options.segment && errors.length === 0
      ? planParticipant(whole.definition, options.segment, options.seed)
      : undefined;
  if (participant) errors.push(...participant.errors);
  const definition = participant?.definition ?? whole.definition;
  for (const problem of [
    checkOutputPath({ option: '--out', path: options.runDir, kind: 'folder' }),
    options.saveBaseline === undefined
      ? undefined
      : checkOutputPath({ option: '--save-baseline', path: options.saveBaseline, kind: 'file' }),
  ]) {
    if (problem) errors.push(problem);
  }
  if (options.allowBusyQueue && definition.topology.queue === undefined) {
    errors.push(
      "--allow-busy-queue applies to a named request queue (--queue, or the scenario's queue); " +
        'without one each run has a queue of its own',
    );
  }
  let gates: PreparedGates;
  try {
    // Phase gates name the whole scenario's faults; a segment runs none of them (or no calls), so
    // they are judged where segments are merged, and a segment leaves them out.
    const prepared = prepareGates(options.gates, {
      baselineFile: options.baseline,
      tolerancePct: options.tolerancePct,
      scenario: definition.name,
      scenarioGates: definition.gates,
      faults: whole.definition.faults,
    });
    gates = participant ? { ...prepared, gates: prepared.gates.filter((gate) => !gate.phase) } : prepared;
  } catch (error) {
    errors.push((error as Error).message);
    gates = undefined as never;
  }
  if (errors.length > 0) {
    console.error(`cannot run "${options.definition.name}":\n  - ${errors.join('\n  - ')}`);
    return EXIT_HARNESS_ERROR;
  }

  let folder: ClaimedRunFolder;
  try {
    folder = claimRunFolder(options.runDir, { overwrite: options.overwrite });
  } catch (error) {
    console.error(`cannot run "${options.definition.name}": ${(error as Error).message}`);
    return EXIT_HARNESS_ERROR;
  }
  try {
    for (const note of folder.notes) console.error(note);
    return await runAndReport(options, definition, gates, signal, participant?.run);
  } finally {
    folder.release();
  }
}

async function runAndReport(
  options: CliRunOptions,
  definition: ScenarioDefinition,
  gates: PreparedGates,
  signal: AbortSignal,
  segment?: SegmentRun,
): Promise<number> {
  const results: ScenarioResult[] = [];
  for (let attempt = 1; attempt <= options.repeat && !signal.aborted; attempt++) {
    const runDir = options.repeat > 1 ? join(options.runDir, `run-${attempt}`) : options.runDir;
    const label = options.repeat > 1 ? `${definition.name} ${attempt}/${options.repeat}` : definition.name;
    const display = createProgressDisplay(options.interactive && !options.json, label);
    // Once load has started, a failure is not "could not run": the message must say what was lost.
    let loadStarted = false;
    // On Ctrl-C the live line stops first, so the interrupt messages stay readable.
    const stopDisplay = () => display.stop();
    signal.addEventListener('abort', stopDisplay, { once: true });
    try {
      results.push(
        await runScenario({
          definition,
          broker: options.broker,
          proxy: options.proxy,
          seed: options.seed + (attempt - 1) * 1000,
          runDir,
          gates: options.gates,
          tracing: { enabled: options.tracingEnabled, sampleRatio: definition.tracing?.sampleRatio ?? 0.1 },
          onProgress: (progress) => display.update(progress),
          onPhase: (phase) => {
            if (phase === 'running') loadStarted = true;
            display.phase(phase);
          },
          signal,
          // Segments share the request queue with the servers run on purpose.
          allowBusyQueue: options.allowBusyQueue || segment?.role === 'clients',
          segment,
          clientPriority: options.clientPriority,
        }),
      );
    } catch (error) {
      display.stop();
      console.error(
        loadStarted
          ? `${definition.name}: the run finished but its result could not be put together, ` +
              `so no result.json was written: ${(error as Error).message} ` +
              `(what the processes left, such as span files, is in ${runDir})`
          : `${definition.name}: the harness could not run: ${(error as Error).message}`,
      );
      return EXIT_HARNESS_ERROR;
    } finally {
      signal.removeEventListener('abort', stopDisplay);
      display.stop();
    }
    // A run that could not start (or broke) makes later repeats and their medians meaningless.
    if (results.at(-1)?.verdict === 'error' || results.at(-1)?.verdict === 'interrupted') break;
  }

  const gated = applyGates(results, gates, { saveBaselineFile: options.saveBaseline });
  for (const [index, result] of gated.results.entries()) {
    const runDir = options.repeat > 1 ? join(options.runDir, `run-${index + 1}`) : options.runDir;
    writeResult(runDir, result);
    writeReports(runDir, result);
    if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else console.log(formatTerminalSummary(result, { color: options.interactive }));
    // The summary lists them too, but stdout may be JSON or a file: the reason must reach stderr.
    if (result.verdict === 'error')
      console.error(`${definition.name}: harness error: ${result.harnessErrors.join('; ')}`);
  }
  if (!options.json) {
    for (const line of gated.notes) console.log(line);
    console.log(`\nrun folder: ${options.runDir}  (report.html, result.json, junit.xml, summary.md)`);
  }
  const verdicts = gated.results.map((result) => result.verdict);
  if (verdicts.includes('interrupted')) return EXIT_INTERRUPTED;
  if (verdicts.includes('error')) return EXIT_HARNESS_ERROR;
  return verdicts.every((verdict) => verdict === 'pass') ? EXIT_PASS : EXIT_FAILED;
}
