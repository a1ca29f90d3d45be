/**
 * The assemble phase: the ScenarioResult from what the run collected (assemble-result.ts), with
 * each fault's impact, the cluster section, and the queue the run used; a participant of a
 * segmented run leaves its record for the merge. A run interrupted before its load, or one
 * that never reached its servers, says so instead of judging zero calls.
 */
import type { ScenarioResult } from '../model/result-schema.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import { faultImpacts } from '../observe/fault-impact.ts';
import { assembleResult } from './assemble-result.ts';
import { clientSeriesOf } from './client-series.ts';
import type { ClusterRun } from './cluster-run.ts';
import type { RunPlan } from './plan-run.ts';
import type { RequestQueue } from './request-queue.ts';
import type { AssembleInput, RunOptions } from './run-contract.ts';
import { interrupted, type RunContext } from './run-context.ts';
import { INTERRUPTED_BEFORE_LOAD } from './run-start.ts';
import { closeImplementations } from './start-implementations.ts';
import type { NotStarted } from './start-environment.ts';

export async function assembleRun(
  input: AssembleInput,
  queue: RequestQueue,
  clusterRun: ClusterRun | undefined,
  loadStarted: boolean,
): Promise<ScenarioResult> {
  const result = await assembleResult(input);
  if (loadStarted) input.options.segment?.saveRecord(input.options.runDir, input, result);
  const measured = withFaultFacts(result, input, clusterRun);
  if (!loadStarted && result.run.interrupted) {
    // Zero calls would otherwise pass or fail checks that had nothing to look at.
    return withQueue(
      { ...measured, verdict: 'interrupted', harnessErrors: [...result.harnessErrors, INTERRUPTED_BEFORE_LOAD] },
      queue,
    );
  }
  return withQueue(measured, queue);
}

/** The result of a run that never reached its servers: no measurements, the reason, verdict error. */
export async function notStartedResult(
  { notStarted, environment }: NotStarted,
  plan: RunPlan,
  options: RunOptions,
  context: Pick<RunContext, 'timeline' | 'signal'>,
): Promise<ScenarioResult> {
  await closeImplementations(plan.implementations);
  const now = Date.now();
  const empty = await assembleResult({
    definition: options.definition,
    options,
    runId: plan.runId,
    startedAt: plan.startedAt,
    endedAt: new Date(now),
    runStartEpochMs: now,
    topology: environment,
    clients: [],
    servers: [],
    clientTallies: new Map(),
    serverTallies: new Map(),
    faults: [],
    timeline: context.timeline.toResult(now),
    harnessErrors: [notStarted],
    extra: { brokerRestarts: 0, serverKills: 0, serverRestarts: 0 },
    spanFiles: [],
    interrupted: interrupted(context),
    loadEndedEpochMs: now,
    handledCallIds: new CallIdSet(),
    implementations: { server: plan.implementations.server.label, client: plan.implementations.client.label },
  });
  return withQueue({ ...empty, verdict: empty.run.interrupted ? 'interrupted' : 'error' }, plan.queue);
}

/**
 * Unavailability, recovery and failed calls per fault, for all clients and for each, and the
 * cluster section when there was one.
 */
function withFaultFacts(
  result: ScenarioResult,
  input: AssembleInput,
  clusterRun: ClusterRun | undefined,
): ScenarioResult {
  const loadDurationMs = Math.max(1, (input.loadEndedEpochMs ?? input.endedAt.getTime()) - input.runStartEpochMs);
  const faultImpact = faultImpacts({
    faults: result.faults,
    series: result.latency.series,
    intervalMs: result.latency.intervalMs,
    events: result.timeline.events,
    timeoutMs: input.definition.timeoutMs,
    offeredPerSec: result.offeredLoad?.targetPerSec,
    clients: clientSeriesOf(input.clients, input.definition.load, loadDurationMs),
  });
  return {
    ...result,
    ...(faultImpact.length > 0 ? { faultImpact } : {}),
    ...(clusterRun ? { cluster: clusterRun.section() } : {}),
  };
}

function withQueue(result: ScenarioResult, queue: RequestQueue): ScenarioResult {
  return { ...result, config: { ...result.config, queue: queue.name } };
}
