import { join } from 'node:path';
import { FaultScheduler } from '../chaos/fault-scheduler.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import { watchExpiredRequestsOnEach, type ExpiredRequestsWatch } from '../env/broker/expired-requests.ts';
import { makeDirectory } from '../env/output-paths.ts';
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import type { ClientInstance, ServerInstance } from '../impl/implementation.ts';
import { selectImplementations } from '../impl/select-implementations.ts';
import type { ClientTally, ServerTally, WorkerEvent } from '../impl/instance-report.ts';
import { Timeline } from '../observe/timeline.ts';
import { DEFAULT_TRACE_BUDGET, type TraceBudget } from '../observe/trace-budget.ts';
import type { ScenarioResult, TimelineEvent } from '../model/result-schema.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import { assembleResult } from './assemble-result.ts';
import type { AssembleInput, RunOptions, RunProgress } from './run-contract.ts';

import { drainRequestQueue } from './drain-request-queue.ts';
import { confirmsRequests, type ScenarioDefinition } from '../scenario/define-scenario.ts';
import { checkNamedQueue, removeRunQueue, requestQueueFor, type RequestQueue } from './request-queue.ts';
import { INTERRUPTED_BEFORE_LOAD, InterruptedBeforeLoad, plannedTopology, untilAborted } from './run-start.ts';
import { ClusterRun } from './cluster-run.ts';
import { REALTIME_PRIORITY, setRealtimePriority, type ClientPriority } from '../env/realtime-priority.ts';
import { faultImpacts } from '../observe/fault-impact.ts';
import { placeOnNode, startTopology, type Topology } from './topology.ts';

const MAX_TIMELINE_EVENTS = 20_000;
const WORKER_STOP_TIMEOUT_MS = 10_000;
/** Slack on top of the load's own bound before the runner gives up on a client. */
const CLIENT_FINISH_SLACK_MS = 30_000;

/**
 * Runs one scenario end to end: environment, server and client processes, faults, and
 * then the ScenarioResult. It prints nothing: progress arrives through callbacks, and
 * writing files other than spans is the caller's business. A run that cannot start (no
 * broker, a busy queue) or is interrupted before its load starts still returns a result,
 * with verdict "error" and the reason, so its folder says why it holds no measurements.
 */
export async function runScenario(options: RunOptions): Promise<ScenarioResult> {
  const { definition } = options;
  const startedAt = new Date();
  const runId = `${definition.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  makeDirectory(options.runDir);
  const queue = options.segment?.requestQueue ?? requestQueueFor(runId, definition.topology.queue);
  const implementations = selectImplementations(definition, options.implementations);
  const timeline = new Timeline({ maxEvents: MAX_TIMELINE_EVENTS });
  const harnessErrors: string[] = [];
  // Every participant of a segmented run counts from the agreed start.
  let runStartEpochMs = options.segment?.startAtEpochMs ?? Date.now();
  const elapsedMs = () => Math.max(0, Date.now() - runStartEpochMs);
  const record = ({ tMs, ...event }: Omit<TimelineEvent, 'tMs'> & { tMs?: number }) => {
    timeline.add({ ...event, atMs: tMs === undefined ? Date.now() : runStartEpochMs + tMs });
  };

  // A start already too far in the past is refused before anything starts: every interval
  // counts from it, so the run would plan one per second of the clocks' difference.
  const startProblem = options.segment?.startProblem();
  if (startProblem) return notStartedResult(startProblem, plannedTopology(options));

  // Worker processes load their code while the broker boots; they connect once it is up.
  // Those for scheduled restarts wait through the run, so a restart lands on time. They are
  // started once the broker's process is: each fork blocks this thread for tens of ms, and
  // the broker's boot is the longer path.
  const prepareWorkers = () => {
    implementations.server.prepare?.([...range(definition.topology.servers), ...plannedRestarts(definition)].map((i) => `server-${i}`));
    implementations.client.prepare?.(range(definition.topology.clients).map((i) => `client-${i}`));
  };
  options.onPhase?.(`starting broker (${typeof options.broker === 'string' ? options.broker : options.broker.describe()}) and proxy (${options.proxy})`);
  let topology: Topology;
  const starting = startTopology({ broker: options.broker, proxy: options.proxy, runId: String(process.pid) + Date.now().toString(36), nodes: definition.topology.nodes, onBrokerLaunched: prepareWorkers });
  try {
    const started = await untilAborted(starting, options.signal);
    if (started === 'aborted') {
      // A broker can take many seconds to boot; Ctrl-C must not wait for it. It is stopped
      // once up, and process cleanup kills it if the process exits first.
      starting.then((late) => late.stop()).catch(() => undefined);
      return notStartedResult(INTERRUPTED_BEFORE_LOAD, plannedTopology(options));
    }
    topology = started;
  } catch (error) {
    return notStartedResult(`could not start the environment: ${(error as Error).message}`, plannedTopology(options));
  }
  try {
    await checkNamedQueue(topology.broker.getAmqpUrl(), queue, { allowBusy: options.allowBusyQueue ?? false });
  } catch (error) {
    const environment = describeTopology(topology);
    await topology.stop().catch(() => undefined);
    return notStartedResult((error as Error).message, environment);
  }
  const requestQueue = queue.name;
  const clusterRun = topology.cluster ? new ClusterRun(topology.cluster, requestQueue, definition.topology.queueType ?? 'classic', elapsedMs) : undefined;
  if (clusterRun) options.onPhase?.(`cluster up in ${(topology.cluster!.startMs / 1000).toFixed(1)} s (${topology.cluster!.describeStart()}): ${topology.cluster!.describe()}`);
  // Only the broker knows which requests expired unconsumed; where it cannot say, none is excused.
  // On a cluster every node watches, so expiries are still seen while a node is down or cut off.
  const watchedUrls = topology.cluster ? topology.cluster.nodeInfo().map((node) => topology.cluster!.nodeAmqpUrl(node.index)) : [topology.broker.getAmqpUrl()];
  // Set up while the servers and clients start (it never rejects); awaited before the load starts.
  const watchingExpired = watchExpiredRequestsOnEach(watchedUrls, requestQueue);
  let expiredRequests: ExpiredRequestsWatch | undefined;
  const servers = new Map<number, ServerInstance>();
  const serverIncarnations = new Map<number, number>();
  const serverTallies = new Map<string, ServerTally>();
  const clientTallies = new Map<string, ClientTally>();
  const handledCallIds = new CallIdSet();
  const settledWithoutReply = new Map<string, CallIdSet>();
  const finishedServers: ServerInstance[] = [];
  const spanFiles: string[] = [];
  let brokerRestarts = 0;
  let serverKills = 0;
  let serverRestarts = 0;

  const scheduler: FaultScheduler = new FaultScheduler(definition.faults, {
    proxies: topology.proxies,
    elapsedMs,
    record,
    cluster: clusterRun?.faultTargets(),
    restartBroker: async () => {
      if (!topology.broker.restart) throw new Error(`${topology.broker.describe()} cannot be restarted by the harness`);
      brokerRestarts++;
      await topology.broker.restart();
    },
    killServer: async (server) => {
      const instance = servers.get(server);
      if (!instance) throw new Error(`server-${server} is not running`);
      serverKills++;
      instance.kill();
      await instance.exited;
    },
    startServer: async (server) => {
      serverRestarts++;
      await startServer(server);
    },
  });

  const observer = (name: string) => ({
    events: (events: readonly WorkerEvent[]) => timeline.addAll(events.map((event) => ({ ...event, process: name }))),
    fatal: (error: string) => harnessErrors.push(`${name}: ${error}`),
  });

  const tracingFor = (name: string) => {
    const spansFile = options.tracing.enabled ? join(options.runDir, `spans-${name}.jsonl`) : undefined;
    if (spansFile) spanFiles.push(spansFile);
    return { enabled: options.tracing.enabled, sampleRatio: options.tracing.sampleRatio, spansFile, budget: traceBudget(options) };
  };

  async function startServer(server: number): Promise<void> {
    const incarnation = (serverIncarnations.get(server) ?? 0) + 1;
    serverIncarnations.set(server, incarnation);
    const killAt = scheduler.faultPointKillsFor(server)[incarnation - 1];
    const name = `server-${server}`;
    // Each incarnation reports its own tally; the run's counters add them up.
    const tallyKey = `${name}#${incarnation}`;
    const instance = await implementations.server.start(
      {
        index: server,
        incarnation,
        name,
        amqpUrl: topology.amqpUrlFor('servers', server),
        brokerUrl: topology.broker.getAmqpUrl(),
        queueType: definition.topology.queueType,
        queue: requestQueue,
        prefetch: definition.topology.prefetch,
        confirmReplies: definition.topology.confirmReplies,
        runStartEpochMs,
        killAt: killAt ? { point: killAt.point, request: killAt.request } : undefined,
        tracing: tracingFor(incarnation === 1 ? name : `${name}.${incarnation}`),
        runDir: options.runDir,
      },
      {
        ...observer(name),
        tally: (tally) => serverTallies.set(tallyKey, tally),
        handled: (callIds) => handledCallIds.addAll(callIds),
        settledWithoutReply: (callIds) => {
          let ids = settledWithoutReply.get(name);
          if (!ids) settledWithoutReply.set(name, (ids = new CallIdSet()));
          ids.addAll(callIds);
        },
        faultPointKill: (point, correlationId) => {
          serverKills++;
          scheduler.onFaultPointKill(server, point, correlationId);
        },
      },
    );
    servers.set(server, instance);
    finishedServers.push(instance);
  }

  let clients: ClientInstance[] = [];
  let loadEndedEpochMs: number | undefined;
  let requestsQueuedAtStop: number | undefined;
  let loadStarted = false;
  try {
    if (options.signal?.aborted) throw new InterruptedBeforeLoad();
    options.onPhase?.(`starting ${definition.topology.servers} server and ${definition.topology.clients} client processes`);
    const serverIndexes = range(definition.topology.servers);
    if (definition.topology.queueType === 'quorum' && serverIndexes.length > 1) {
      // Servers on different nodes declaring one new quorum queue at the same moment race in
      // RabbitMQ 3.10, and the loser's channel closes with 541 INTERNAL_ERROR: the first
      // server declares it alone, the others find it declared.
      await startServer(serverIndexes[0]!);
      await Promise.all(serverIndexes.slice(1).map((i) => startServer(i)));
    } else {
      await Promise.all(serverIndexes.map((i) => startServer(i)));
    }
    if (options.signal?.aborted) throw new InterruptedBeforeLoad();
    const started = await Promise.allSettled(range(definition.topology.clients).map((i) => {
      const name = `client-${i}`;
      return implementations.client.start(
        {
          index: i,
          name,
          amqpUrl: topology.amqpUrlFor('clients', i),
          queue: requestQueue,
          replyMode: definition.topology.replyMode,
          timeoutMs: definition.timeoutMs,
          maxInFlight: definition.load.executor === 'constant-arrival-rate' ? definition.load.maxInFlight : definition.load.concurrency,
          confirmRequests: confirmsRequests(definition.topology),
          load: definition.load,
          maxN: definition.maxN ?? 90,
          badInputEvery: definition.badInputEvery ?? 0,
          seed: options.seed + i,
          callPlan: options.segment?.callPlan,
          tracing: tracingFor(name),
          runDir: options.runDir,
        },
        {
          ...observer(name),
          tally: (tally) => {
            clientTallies.set(name, tally);
            scheduler.onCallsSent(sum([...clientTallies.values()], (t) => t.sent));
          },
        },
      );
    }));
    clients = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const failedToStart = started.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failedToStart) throw failedToStart.reason;
    if (options.clientPriority === 'realtime') {
      await Promise.all(clients.map((client) => {
        if (client.pid === undefined) throw new Error(`--client-priority realtime: ${client.name} has no process id`);
        return setRealtimePriority(client.pid, client.name);
      }));
      options.onPhase?.(`clients under SCHED_FIFO (real-time priority ${REALTIME_PRIORITY})`);
    }
    if (options.signal?.aborted) throw new InterruptedBeforeLoad();

    if (clusterRun) {
      for (const i of range(definition.topology.servers)) clusterRun.place(`server-${i}`, placeOnNode('servers', i, topology.nodeProxies.length));
      for (const i of range(definition.topology.clients)) clusterRun.place(`client-${i}`, placeOnNode('clients', i, topology.nodeProxies.length));
      await clusterRun.recordStart();
      options.onPhase?.(`placed ${clusterRun.placementText()}`);
    }
    expiredRequests = await watchingExpired;
    options.onPhase?.('running');
    runStartEpochMs = options.segment ? await options.segment.untilStart(options.signal) : Date.now();
    loadStarted = true;
    const lateStart = options.segment?.lateStartWarning();
    if (lateStart) options.onPhase?.(`warning: ${lateStart}`);
    scheduler.start();
    for (const client of clients) client.go(runStartEpochMs);
    if (options.segment?.role === 'servers') await options.segment.untilSegmentsDone(topology.broker.getAmqpUrl(), definition, harnessErrors, options.signal);
    else await waitForClients(clients, definition, options, elapsedMs, clientTallies, harnessErrors);
    loadEndedEpochMs = Date.now();
    if (!options.signal?.aborted) {
      requestsQueuedAtStop = await drainRequestQueue(topology.broker.getAmqpUrl(), queue.name, Math.max(5_000, 2 * definition.timeoutMs));
    }
    await options.segment?.afterLoad(topology.broker.getAmqpUrl(), harnessErrors);
  } catch (error) {
    if (!(error instanceof InterruptedBeforeLoad)) harnessErrors.push((error as Error).message);
  } finally {
    options.onPhase?.('stopping');
    await scheduler.stop();
    harnessErrors.push(...scheduler.errors);
    await Promise.all(clients.map((client) => client.stop(WORKER_STOP_TIMEOUT_MS)));
    await Promise.all([...servers.values()].map((server) => server.stop(WORKER_STOP_TIMEOUT_MS)));
    // A private node this run started is deleted with its queues a moment later.
    const brokerDeletedAtStop = typeof options.broker === 'string' && (topology.broker.kind === 'local' || topology.broker.kind === 'cluster');
    if (!brokerDeletedAtStop) {
      await removeRunQueue(topology.broker.getAmqpUrl(), queue).catch((error: unknown) => {
        // A private node is deleted with its queues; on a shared broker the leftover must be named.
        if (topology.broker.kind !== 'local') harnessErrors.push(`could not delete this run's queue "${queue.name}": ${(error as Error).message}; delete it by hand`);
      });
    }
    await Promise.allSettled([implementations.client.close?.(), implementations.server.close?.()]);
    expiredRequests = await watchingExpired;
    await expiredRequests?.stop();
    await topology.stop().catch((error: unknown) => harnessErrors.push(`stopping the environment: ${(error as Error).message}`));
  }

  const assembleInput: AssembleInput = {
    definition,
    options,
    runId,
    startedAt,
    endedAt: new Date(),
    runStartEpochMs,
    topology: describeTopology(topology),
    clients,
    servers: finishedServers,
    clientTallies,
    serverTallies,
    faults: scheduler.records(),
    timeline: timeline.toResult(runStartEpochMs),
    harnessErrors,
    extra: { brokerRestarts, serverKills, serverRestarts },
    spanFiles,
    implementations: { server: implementations.server.label, client: implementations.client.label },
    interrupted: options.signal?.aborted ?? false,
    loadEndedEpochMs,
    handledCallIds,
    settledWithoutReply,
    requestsQueuedAtStop,
    expiredRequestIds: expiredRequests?.expired,
    warnings: [options.segment?.lateStartWarning()].filter((warning): warning is string => warning !== undefined),
  };
  const result = await assembleResult(assembleInput);
  if (loadStarted) options.segment?.saveRecord(options.runDir, assembleInput, result);
  const measured = withFaultFacts(result, definition.timeoutMs, clusterRun);
  if (!loadStarted && result.run.interrupted) {
    // Zero calls would otherwise pass or fail checks that had nothing to look at.
    return withQueue({ ...measured, verdict: 'interrupted', harnessErrors: [...result.harnessErrors, INTERRUPTED_BEFORE_LOAD] }, queue);
  }
  return withQueue(measured, queue);

  /** The result of a run that never reached its servers: no measurements, the reason, verdict error. */
  async function notStartedResult(reason: string, environment: AssembleInput['topology']): Promise<ScenarioResult> {
    await Promise.allSettled([implementations.client.close?.(), implementations.server.close?.()]);
    const now = Date.now();
    const empty = await assembleResult({
      definition,
      options,
      runId,
      startedAt,
      endedAt: new Date(now),
      runStartEpochMs: now,
      topology: environment,
      clients: [],
      servers: [],
      clientTallies: new Map(),
      serverTallies: new Map(),
      faults: [],
      timeline: timeline.toResult(now),
      harnessErrors: [reason],
      extra: { brokerRestarts: 0, serverKills: 0, serverRestarts: 0 },
      spanFiles: [],
      interrupted: options.signal?.aborted ?? false,
      loadEndedEpochMs: now,
      handledCallIds: new CallIdSet(),
      implementations: { server: implementations.server.label, client: implementations.client.label },
    });
    return withQueue({ ...empty, verdict: empty.run.interrupted ? 'interrupted' : 'error' }, queue);
  }
}

/** Unavailability, recovery and failed calls per fault, and the cluster section when there was one. */
function withFaultFacts(result: ScenarioResult, timeoutMs: number, clusterRun: ClusterRun | undefined): ScenarioResult {
  const faultImpact = faultImpacts({ faults: result.faults, series: result.latency.series, intervalMs: result.latency.intervalMs, events: result.timeline.events, timeoutMs });
  return { ...result, ...(faultImpact.length > 0 ? { faultImpact } : {}), ...(clusterRun ? { cluster: clusterRun.section() } : {}) };
}

function withQueue(result: ScenarioResult, queue: RequestQueue): ScenarioResult {
  return { ...result, config: { ...result.config, queue: queue.name } };
}

async function waitForClients(
  clients: ClientInstance[],
  definition: ScenarioDefinition,
  options: RunOptions,
  elapsedMs: () => number,
  clientTallies: Map<string, ClientTally>,
  harnessErrors: string[],
): Promise<void> {
  const plannedMs = definition.load.durationMs;
  const boundMs = (plannedMs ?? 600_000) + definition.timeoutMs + CLIENT_FINISH_SLACK_MS;
  const progress = setInterval(() => {
    const tallies = [...clientTallies.values()];
    options.onProgress?.({
      elapsedMs: elapsedMs(),
      plannedMs,
      sent: sum(tallies, (t) => t.sent),
      answered: sum(tallies, (t) => t.answered),
      failed: sum(tallies, (t) => t.timedOut + t.remoteErrors + t.connectionLost + t.otherErrors),
      discarded: sum(tallies, (t) => t.discardedDuplicate + t.discardedLate + t.discardedUnknown),
    });
  }, 250);
  const onAbort = () => clients.forEach((client) => client.requestStop());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // The signal does not fire for a listener added after the abort.
  if (options.signal?.aborted) onAbort();
  try {
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), boundMs).unref());
    const outcome = await Promise.race([Promise.all(clients.map((client) => client.finished)), deadline]);
    if (outcome === 'deadline') harnessErrors.push(`clients did not finish within ${Math.round(boundMs / 1000)} s; stopped them`);
    for (const client of clients) {
      if (!client.final) harnessErrors.push(`${client.name} ended without reporting its results: ${client.failureReason()}`);
    }
  } finally {
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The server of each fault that restarts one: a server restarted twice appears twice. */
function plannedRestarts(definition: ScenarioDefinition): number[] {
  return definition.faults.flatMap((fault) =>
    (fault.kind === 'kill-server' || fault.kind === 'kill-server-at-fault-point') && fault.restartAfterMs !== undefined ? [fault.server] : [],
  );
}

function traceBudget(options: Pick<RunOptions, 'tracing'>): TraceBudget {
  return options.tracing.budget ?? DEFAULT_TRACE_BUDGET;
}

function describeTopology(topology: Topology) {
  return {
    broker: { kind: topology.broker.kind, version: topology.broker.getVersion(), description: topology.broker.describe() },
    proxy: { kind: topology.proxyServer.kind, version: topology.proxyServer.getVersion() },
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

export function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
