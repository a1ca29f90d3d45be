import type { ScenarioResult } from '../model/result-schema.ts';
import { assembleRun, notStartedResult } from './assemble-run.ts';
import { collectRun } from './collect-run.ts';
import { planRun } from './plan-run.ts';
import type { RunOptions } from './run-contract.ts';
import { runContext } from './run-context.ts';
import { runLoad } from './run-load.ts';
import { startResourceSampling } from './run-resources.ts';
import { recordFailure } from './run-start.ts';
import { startEnvironment } from './start-environment.ts';
import { prepareImplementations, startImplementations } from './start-implementations.ts';
import { stopAndDrain, type Stopped } from './stop-run.ts';

/**
 * Runs one scenario end to end, in phases: plan, environment, implementations, load and
 * faults, stop and drain, collect, assemble. It prints nothing: progress arrives through
 * callbacks, and writing files other than spans is the caller's business. A run that cannot
 * start (no broker, a busy queue) or is interrupted before its load starts still returns a
 * result, with verdict "error" (or "interrupted") and the reason, so its folder says why it
 * holds no measurements. Whatever happens, everything the run started is stopped. The memory and
 * CPU of its processes are sampled from their start to the end of the stop phase.
 */
export async function runScenario(options: RunOptions): Promise<ScenarioResult> {
  const plan = planRun(options);
  const context = runContext(options);
  const environment = await startEnvironment(options, plan, context);
  if ('notStarted' in environment) return notStartedResult(environment, plan, options, context);
  const underTest = prepareImplementations(plan, options, environment, context);
  const resources = startResourceSampling(
    () => underTest.clients.instances,
    () => underTest.servers.started,
    environment.topology.broker,
  );
  let stopped: Stopped;
  try {
    await startImplementations(underTest, options, environment, context);
    await runLoad(underTest, options, environment, context);
  } catch (error) {
    recordFailure(error, context.harnessErrors);
  } finally {
    stopped = await stopAndDrain(underTest, environment, plan.queue, options, context);
    await resources.stop();
  }
  const collected = {
    ...collectRun(plan, environment, underTest, stopped, options, context),
    resources: resources.result(context.clock.runStartEpochMs),
  };
  return assembleRun(collected, plan.queue, environment.clusterRun, context.clock.loadStarted);
}
