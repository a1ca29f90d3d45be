/**
 * The load-and-faults phase: the run's clock starts (at the agreed start, for a participant of
 * a segmented run), the faults are armed, the clients let go, and the phase ends when the
 * clients have finished (or, for the servers' participant, every client participant has).
 */
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { sum, type ClientGroup } from './client-group.ts';
import type { RunOptions } from './run-contract.ts';
import type { RunContext } from './run-context.ts';
import type { UnderTest } from './start-implementations.ts';
import type { RunEnvironment } from './start-environment.ts';

/** Slack on top of the load's own bound before the runner gives up on a client. */
const CLIENT_FINISH_SLACK_MS = 30_000;

export async function runLoad(
  underTest: UnderTest,
  options: Pick<RunOptions, 'definition' | 'segment' | 'onProgress'>,
  environment: RunEnvironment,
  context: RunContext,
): Promise<void> {
  await environment.watchingExpired;
  context.onPhase('running');
  context.clock.startLoad(options.segment ? await options.segment.untilStart(context.signal) : Date.now());
  const lateStart = options.segment?.lateStartWarning();
  if (lateStart) context.onPhase(`warning: ${lateStart}`);
  underTest.faults.scheduler.start();
  underTest.clients.go(context.clock.runStartEpochMs);
  underTest.clientMemory.start(underTest.clients.instances, context.clock.runStartEpochMs);
  try {
    await waitForLoad(underTest, options, environment, context);
  } finally {
    underTest.clientMemory.stop();
  }
  context.clock.endLoad();
}

async function waitForLoad(
  underTest: UnderTest,
  options: Pick<RunOptions, 'definition' | 'segment' | 'onProgress'>,
  environment: RunEnvironment,
  context: RunContext,
): Promise<void> {
  if (options.segment?.role === 'servers') {
    await options.segment.untilSegmentsDone(
      environment.topology.broker.getAmqpUrl(),
      options.definition,
      context.harnessErrors,
      context.signal,
    );
  } else {
    await waitForClients(underTest.clients, options.definition, options.onProgress, context);
  }
}

/** Reports progress every 250 ms until every client finished, Ctrl-C stopped them, or the bound passed. */
async function waitForClients(
  clients: ClientGroup,
  definition: ScenarioDefinition,
  onProgress: RunOptions['onProgress'],
  context: Pick<RunContext, 'clock' | 'harnessErrors' | 'signal'>,
): Promise<void> {
  const plannedMs = definition.load.durationMs;
  const boundMs = (plannedMs ?? 600_000) + definition.timeoutMs + CLIENT_FINISH_SLACK_MS;
  const progress = setInterval(() => {
    const tallies = [...clients.tallies.values()];
    onProgress?.({
      elapsedMs: context.clock.elapsedMs(),
      plannedMs,
      sent: sum(tallies, (t) => t.sent),
      answered: sum(tallies, (t) => t.answered),
      failed: sum(tallies, (t) => t.timedOut + t.remoteErrors + t.connectionLost + t.otherErrors),
      discarded: sum(tallies, (t) => t.discardedDuplicate + t.discardedLate + t.discardedUnknown),
    });
  }, 250);
  const { signal } = context;
  const onAbort = () => clients.requestStop();
  signal?.addEventListener('abort', onAbort, { once: true });
  // The signal does not fire for a listener added after the abort.
  if (signal?.aborted) onAbort();
  try {
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), boundMs).unref());
    const outcome = await Promise.race([Promise.all(clients.instances.map((client) => client.finished)), deadline]);
    if (outcome === 'deadline')
      context.harnessErrors.push(`clients did not finish within ${Math.round(boundMs / 1000)} s; stopped them`);
    for (const client of clients.instances) {
      if (!client.final)
        context.harnessErrors.push(`${client.name} ended without reporting its results: ${client.failureReason()}`);
    }
  } finally {
    clearInterval(progress);
    signal?.removeEventListener('abort', onAbort);
  }
}
