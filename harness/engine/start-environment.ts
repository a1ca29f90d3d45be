/**
 * The environment phase: broker (or cluster), proxy server and proxies when the run uses them,
 * the request queue checked, what the proxy and the frame tap add to a round trip, and the
 * broker's watch on requests that expire unconsumed. A run whose environment cannot start says
 * why instead (NotStarted), with what it meant to use.
 */
import { watchExpiredRequestsOnEach, type ExpiredRequestsWatch } from '../env/broker/expired-requests.ts';
import type { HarnessOverhead } from '../model/harness-overhead.ts';
import { calibrateOverhead } from './calibrate-overhead.ts';
import { ClusterRun } from './cluster-run.ts';
import { decideProxyUse, type ProxyUse } from './proxy-use.ts';
import { prepareInstances, type RunPlan } from './plan-run.ts';
import { checkNamedQueue, type RequestQueue } from './request-queue.ts';
import type { QueueType } from '../scenario/define-scenario.ts';
import type { AssembleInput, RunOptions } from './run-contract.ts';
import type { RunContext } from './run-context.ts';
import { INTERRUPTED_BEFORE_LOAD, plannedTopology, untilAborted } from './run-start.ts';
import { startTopology, type Topology } from './topology.ts';

export type EnvironmentDescription = AssembleInput['topology'];

export interface RunEnvironment {
  readonly topology: Topology;
  /** Present when the broker is a private cluster. */
  readonly clusterRun: ClusterRun | undefined;
  /** Set up while the servers and clients start (it never rejects); awaited before the load starts. */
  readonly watchingExpired: Promise<ExpiredRequestsWatch | undefined>;
  /** Whether the run put a proxy in front of the broker, and why. */
  readonly proxyUse: ProxyUse;
  /** What the proxy and the tap added to a round trip; undefined when the run has neither. */
  readonly harnessOverhead: HarnessOverhead | undefined;
}

/** Why a run never reached its servers, and the environment it meant to use or had started. */
export interface NotStarted {
  readonly notStarted: string;
  readonly environment: EnvironmentDescription;
}

/** The plan's instances are prepared while the broker boots (planRun's prepareInstances). */
export async function startEnvironment(
  options: Pick<RunOptions, 'definition' | 'broker' | 'proxy' | 'allowBusyQueue' | 'segment'>,
  { queue, implementations }: Pick<RunPlan, 'queue' | 'implementations'>,
  context: Pick<RunContext, 'clock' | 'signal' | 'onPhase'>,
): Promise<RunEnvironment | NotStarted> {
  // A start already too far in the past is refused before anything starts: every interval
  // counts from it, so the run would plan one per second of the clocks' difference.
  const startProblem = options.segment?.startProblem();
  if (startProblem) return { notStarted: startProblem, environment: plannedTopology(options) };
  const prepare = () => prepareInstances(implementations, options.definition);
  const proxyUse = decideProxyUse(options.proxy, options.definition);
  const topology = await startTopologyUnlessAborted(options, proxyUse, prepare, context);
  if ('notStarted' in topology) return topology;
  try {
    await checkNamedQueue(topology.broker.getAmqpUrl(), queue, { allowBusy: options.allowBusyQueue ?? false });
  } catch (error) {
    const environment = describeEnvironment(topology, proxyUse, undefined);
    await topology.stop().catch(() => undefined);
    return { notStarted: (error as Error).message, environment };
  }
  const clusterRun = clusterRunOf(topology, queue, options.definition.topology.queueType, context);
  const harnessOverhead = await calibrateOverhead(topology, observedThroughTap(options.definition));
  const watchingExpired = watchExpiredRequests(topology, queue.name);
  return { topology, clusterRun, watchingExpired, proxyUse, harnessOverhead };
}

/** External servers and clients are reached through a frame tap each (impl/command). */
function observedThroughTap(definition: RunOptions['definition']): boolean {
  return definition.implementations?.server !== undefined || definition.implementations?.client !== undefined;
}

/** The cluster side of the run, when the broker is a private cluster. */
function clusterRunOf(
  topology: Topology,
  queue: RequestQueue,
  queueType: QueueType | undefined,
  context: Pick<RunContext, 'clock' | 'onPhase'>,
): ClusterRun | undefined {
  const { cluster } = topology;
  if (!cluster) return undefined;
  const clusterRun = new ClusterRun(cluster, queue.name, queueType ?? 'classic', context.clock.elapsedMs);
  const startTime = `${(cluster.startMs / 1000).toFixed(1)} s (${cluster.describeStart()})`;
  context.onPhase(`cluster up in ${startTime}: ${cluster.describe()}`);
  return clusterRun;
}

async function startTopologyUnlessAborted(
  options: Pick<RunOptions, 'definition' | 'broker' | 'proxy'>,
  proxyUse: ProxyUse,
  onBrokerLaunched: () => void,
  context: Pick<RunContext, 'signal' | 'onPhase'>,
): Promise<Topology | NotStarted> {
  const broker =
    typeof options.broker === 'string' ? `starting broker (${options.broker})` : `using ${options.broker.describe()}`;
  context.onPhase(
    proxyUse.used ? `${broker}, starting proxy (${options.proxy})` : `${broker}; no proxy: ${proxyUse.reason}`,
  );
  // Worker processes are prepared once the broker's process is launched: each fork blocks
  // this thread for tens of ms, and the broker's boot is the longer path.
  const starting = startTopology({
    broker: options.broker,
    proxy: proxyUse.used ? options.proxy : 'none',
    runId: String(process.pid) + Date.now().toString(36),
    nodes: options.definition.topology.nodes,
    onBrokerLaunched,
  });
  try {
    const started = await untilAborted(starting, context.signal);
    if (started !== 'aborted') return started;
    // A broker can take many seconds to boot; Ctrl-C must not wait for it. It is stopped
    // once up, and process cleanup kills it if the process exits first.
    starting.then((late) => late.stop()).catch(() => undefined);
    return { notStarted: INTERRUPTED_BEFORE_LOAD, environment: plannedTopology(options) };
  } catch (error) {
    return {
      notStarted: `could not start the environment: ${(error as Error).message}`,
      environment: plannedTopology(options),
    };
  }
}

/**
 * Only the broker knows which requests expired unconsumed; where it cannot say, none is excused.
 * On a cluster every node watches, so expiries are still seen while a node is down or cut off.
 */
function watchExpiredRequests(topology: Topology, requestQueue: string): Promise<ExpiredRequestsWatch | undefined> {
  const cluster = topology.cluster;
  const watchedUrls = cluster
    ? cluster.nodeInfo().map((node) => cluster.nodeAmqpUrl(node.index))
    : [topology.broker.getAmqpUrl()];
  return watchExpiredRequestsOnEach(watchedUrls, requestQueue);
}

export function describeEnvironment(
  topology: Topology,
  proxyUse: ProxyUse,
  harnessOverhead: HarnessOverhead | undefined,
): EnvironmentDescription {
  const proxyServer = topology.proxying?.proxyServer;
  return {
    broker: {
      kind: topology.broker.kind,
      version: topology.broker.getVersion(),
      description: topology.broker.describe(),
    },
    proxy: proxyServer
      ? { kind: proxyServer.kind, version: proxyServer.getVersion(), reason: proxyUse.reason }
      : { kind: 'none', version: '', reason: proxyUse.reason },
    ...(harnessOverhead ? { harnessOverhead } : {}),
  };
}
