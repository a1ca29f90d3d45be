/**
 * The collect phase: what the stopped run leaves to assemble its result from, gathered in one
 * place: the processes' final reports and tallies, the servers' handled requests, the faults'
 * records, the timeline, the span files, and what the stop phase found in the broker.
 */
import type { RunOptions, AssembleInput } from './run-contract.ts';
import { interrupted, type RunContext } from './run-context.ts';
import type { RunPlan } from './plan-run.ts';
import type { UnderTest } from './start-implementations.ts';
import { describeEnvironment, type RunEnvironment } from './start-environment.ts';
import type { Stopped } from './stop-run.ts';
import { summarizeWarmup, warmupWarning } from '../model/warmup.ts';
import { warmupCallsOf } from '../scenario/define-scenario.ts';

export function collectRun(
  plan: RunPlan,
  environment: RunEnvironment,
  underTest: UnderTest,
  stopped: Stopped,
  options: RunOptions,
  context: RunContext,
): AssembleInput {
  const { clock } = context;
  const { servers, clients, faults } = underTest;
  const warmup = summarizeWarmup(
    warmupCallsOf(options.definition),
    clients.instances.flatMap((client) => (client.warmup ? [client.warmup] : [])),
  );
  return {
    definition: options.definition,
    options,
    runId: plan.runId,
    startedAt: plan.startedAt,
    endedAt: new Date(),
    runStartEpochMs: clock.runStartEpochMs,
    topology: describeEnvironment(environment.topology, environment.proxyUse, environment.harnessOverhead),
    clients: clients.instances,
    servers: servers.started,
    clientTallies: clients.tallies,
    serverTallies: servers.tallies,
    faults: faults.scheduler.records(),
    timeline: context.timeline.toResult(clock.runStartEpochMs),
    harnessErrors: context.harnessErrors,
    extra: { brokerRestarts: faults.brokerRestarts(), serverKills: servers.kills, serverRestarts: servers.restarts },
    spanFiles: underTest.observers.spanFiles,
    implementations: { server: plan.implementations.server.label, client: plan.implementations.client.label },
    interrupted: interrupted(context),
    loadEndedEpochMs: clock.loadEndedEpochMs,
    handledCallIds: servers.handledCallIds,
    settledWithoutReply: servers.settledWithoutReply,
    requestsQueuedAtStop: stopped.requestsQueuedAtStop,
    requestQueueConsumersAtEnd: stopped.requestQueueConsumersAtEnd,
    expiredRequestIds: stopped.expiredRequestIds,
    warnings: [options.segment?.lateStartWarning(), warmupWarning(warmup)].filter(
      (warning): warning is string => warning !== undefined,
    ),
    warmup,
    clientRss: underTest.clientMemory.samples(),
  };
}
