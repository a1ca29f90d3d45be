import { join } from 'node:path';
import { FaultScheduler } from '../chaos/fault-scheduler.ts';
import type { ExpiredRequestsWatch } from '../env/broker/expired-requests.ts';
import type { ClientInstance, ServerInstance } from '../impl/implementation.ts';
import type { ClientTally, ServerTally, WorkerEvent } from '../impl/instance-report.ts';
import { DEFAULT_TRACE_BUDGET, type TraceBudget } from '../observe/trace-budget.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { CallIdSet } from '../observe/call-id-set.ts';
import { assembleResult } from './assemble-result.ts';
import type { AssembleInput, RunOptions } from './run-contract.ts';
import { drainRequestQueue } from './drain-request-queue.ts';
import { confirmsRequests, type ScenarioDefinition } from '../scenario/define-scenario.ts';
import { removeRunQueue, type RequestQueue } from './request-queue.ts';
import { INTERRUPTED_BEFORE_LOAD, InterruptedBeforeLoad } from './run-start.ts';
import type { ClusterRun } from './cluster-run.ts';
import { REALTIME_PRIORITY, setRealtimePriority } from '../env/realtime-priority.ts';
import { faultImpacts } from '../observe/fault-impact.ts';
import { placeOnNode } from './topology.ts';
import { planRun, range } from './plan-run.ts';
import { runContext } from './run-context.ts';
import { describeEnvironment, startEnvironment } from './start-environment.ts';

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
  const plan = planRun(options);
  const { runId, startedAt, queue, implementations } = plan;
  const context = runContext(options);
  const { timeline, harnessErrors, record, clock } = context;
  const elapsedMs = clock.elapsedMs;

  const environment = await startEnvironment(options, plan, context);
  if ('notStarted' in environment) return notStartedResult(environment.notStarted, environment.environment);
  const { topology, clusterRun, watchingExpired } = environment;
  const requestQueue = queue.name;
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
        runStartEpochMs: clock.runStartEpochMs,
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
    clock.startLoad(options.segment ? await options.segment.untilStart(options.signal) : Date.now());
    loadStarted = true;
    const lateStart = options.segment?.lateStartWarning();
    if (lateStart) options.onPhase?.(`warning: ${lateStart}`);
    scheduler.start();
    for (const client of clients) client.go(clock.runStartEpochMs);
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
    runStartEpochMs: clock.runStartEpochMs,
    topology: describeEnvironment(topology),
    clients,
    servers: finishedServers,
    clientTallies,
    serverTallies,
    faults: scheduler.records(),
    timeline: timeline.toResult(clock.runStartEpochMs),
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

function traceBudget(options: Pick<RunOptions, 'tracing'>): TraceBudget {
  return options.tracing.budget ?? DEFAULT_TRACE_BUDGET;
}

export function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((total, item) => total + pick(item), 0);
}
