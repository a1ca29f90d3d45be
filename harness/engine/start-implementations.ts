/**
 * The implementations phase: the servers and clients under test, wired to the faults that act
 * on them, then started (servers, then clients), raised to real-time priority if asked, and
 * placed on the cluster's nodes. Ctrl-C between the steps ends the
 * phase with InterruptedBeforeLoad.
 */
import { REALTIME_PRIORITY, setRealtimePriority } from '../env/realtime-priority.ts';
import type { ClientInstance } from '../impl/implementation.ts';
import type { SelectedImplementations } from '../impl/select-implementations.ts';
import { confirmsRequests, warmupCallsOf, type ScenarioDefinition } from '../scenario/define-scenario.ts';
import { ClientGroup, type ClientLaunchOf } from './client-group.ts';
import { ClientMemorySampler } from './client-memory-sampler.ts';
import type { ClusterRun } from './cluster-run.ts';
import { range, type RunPlan } from './plan-run.ts';
import { ProcessObservers } from './process-observers.ts';
import type { RequestQueue } from './request-queue.ts';
import type { RunOptions } from './run-contract.ts';
import { interrupted, type RunClock, type RunContext } from './run-context.ts';
import { scheduleFaults, type RunFaults } from './run-faults.ts';
import { InterruptedBeforeLoad } from './run-start.ts';
import { ServerFleet, type ServerLaunchOf } from './server-fleet.ts';
import type { RunEnvironment } from './start-environment.ts';
import { placeOnNode } from './topology.ts';

/** The processes under test and the faults that act on them; whoever prepares them stops them. */
export interface UnderTest {
  readonly implementations: SelectedImplementations;
  readonly servers: ServerFleet;
  readonly clients: ClientGroup;
  readonly faults: RunFaults;
  readonly observers: ProcessObservers;
  /** Each client's RSS while the load runs. */
  readonly clientMemory: ClientMemorySampler;
}

type LaunchOptions = Pick<RunOptions, 'definition' | 'seed' | 'runDir' | 'segment'>;

/** Nothing starts here: what starts later is stopped by the stop phase, even after a failure. */
export function prepareImplementations(
  { implementations, queue }: Pick<RunPlan, 'implementations' | 'queue'>,
  options: LaunchOptions & Pick<RunOptions, 'tracing'>,
  environment: RunEnvironment,
  context: RunContext,
): UnderTest {
  const observers = new ProcessObservers(options.tracing, options.runDir, context);
  // Faults kill and restart servers, and a server killed at a fault point by its adapter tells
  // the faults: each refers to the other.
  const servers: ServerFleet = new ServerFleet(
    implementations.server,
    serverLaunchOf(options, queue, environment, context.clock),
    observers,
    {
      faultPointKillsFor: (server) => faults.scheduler.faultPointKillsFor(server),
      onFaultPointKill: (server, point, correlationId) =>
        faults.scheduler.onFaultPointKill(server, point, correlationId),
    },
  );
  const faults = scheduleFaults(options.definition.faults, environment, servers, context, {
    name: queue.name,
    queueType: options.definition.topology.queueType,
  });
  const clients = new ClientGroup(
    implementations.client,
    clientLaunchOf(options, queue, environment),
    observers,
    (totalSent) => faults.scheduler.onCallsSent(totalSent),
  );
  return { implementations, servers, clients, faults, observers, clientMemory: new ClientMemorySampler() };
}

export async function startImplementations(
  underTest: UnderTest,
  options: Pick<RunOptions, 'definition' | 'clientPriority'>,
  environment: RunEnvironment,
  context: Pick<RunContext, 'signal' | 'onPhase'>,
): Promise<void> {
  const { topology } = options.definition;
  if (interrupted(context)) throw new InterruptedBeforeLoad();
  context.onPhase(`starting ${topology.servers} server and ${topology.clients} client processes`);
  await underTest.servers.startAll(range(topology.servers), topology.queueType === 'quorum');
  if (interrupted(context)) throw new InterruptedBeforeLoad();
  await underTest.clients.start(range(topology.clients));
  if (options.clientPriority === 'realtime') await raisePriority(underTest.clients.instances, context);
  if (interrupted(context)) throw new InterruptedBeforeLoad();
  if (environment.clusterRun) {
    const nodes = environment.topology.cluster?.nodeInfo().length ?? 1;
    await placeOnCluster(environment.clusterRun, options.definition, nodes, context);
  }
}

/** Releases what the implementations hold for the whole run (taps, connections, prepared processes). */
export async function closeImplementations(implementations: SelectedImplementations): Promise<void> {
  await Promise.allSettled([implementations.client.close?.(), implementations.server.close?.()]);
}

function serverLaunchOf(
  options: LaunchOptions,
  queue: RequestQueue,
  environment: RunEnvironment,
  clock: RunClock,
): ServerLaunchOf {
  const { topology } = options.definition;
  return (server) => ({
    index: server,
    name: `server-${server}`,
    amqpUrl: environment.topology.amqpUrlFor('servers', server),
    amqpUrls: environment.topology.amqpUrlsFor('servers'),
    brokerUrl: environment.topology.broker.getAmqpUrl(),
    queueType: topology.queueType,
    queue: queue.name,
    prefetch: topology.prefetch,
    confirmReplies: topology.confirmReplies,
    // A restart during the load counts from the load's start.
    runStartEpochMs: clock.runStartEpochMs,
    heartbeatSeconds: options.definition.heartbeatSeconds,
    runDir: options.runDir,
  });
}

function clientLaunchOf(options: LaunchOptions, queue: RequestQueue, environment: RunEnvironment): ClientLaunchOf {
  const { definition } = options;
  return (client) => ({
    index: client,
    name: `client-${client}`,
    amqpUrl: environment.topology.amqpUrlFor('clients', client),
    amqpUrls: environment.topology.amqpUrlsFor('clients'),
    queue: queue.name,
    replyMode: definition.topology.replyMode,
    timeoutMs: definition.timeoutMs,
    maxInFlight:
      definition.load.executor === 'constant-arrival-rate' ? definition.load.maxInFlight : definition.load.concurrency,
    confirmRequests: confirmsRequests(definition.topology),
    load: definition.load,
    maxN: definition.maxN ?? 90,
    badInputEvery: definition.badInputEvery ?? 0,
    seed: options.seed + client,
    callPlan: options.segment?.callPlan,
    warmupCalls: warmupCallsOf(definition),
    heartbeatSeconds: definition.heartbeatSeconds,
    runDir: options.runDir,
  });
}

async function raisePriority(clients: readonly ClientInstance[], context: Pick<RunContext, 'onPhase'>): Promise<void> {
  await Promise.all(
    clients.map((client) => {
      if (client.pid === undefined) throw new Error(`--client-priority realtime: ${client.name} has no process id`);
      return setRealtimePriority(client.pid, client.name);
    }),
  );
  context.onPhase(`clients under SCHED_FIFO (real-time priority ${REALTIME_PRIORITY})`);
}

async function placeOnCluster(
  clusterRun: ClusterRun,
  definition: ScenarioDefinition,
  nodes: number,
  context: Pick<RunContext, 'onPhase'>,
): Promise<void> {
  for (const i of range(definition.topology.servers)) clusterRun.place(`server-${i}`, placeOnNode('servers', i, nodes));
  for (const i of range(definition.topology.clients)) clusterRun.place(`client-${i}`, placeOnNode('clients', i, nodes));
  await clusterRun.recordStart();
  context.onPhase(`placed ${clusterRun.placementText()}`);
}
