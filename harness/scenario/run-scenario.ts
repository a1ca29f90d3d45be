import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FaultScheduler } from '../chaos/fault-scheduler.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { BrokerChoice } from '../env/select-broker.ts';
import type { ProxyChoice } from '../env/select-proxy.ts';
import type { ClientTally, ClientWorkerConfig, ServerTally, ServerWorkerConfig, WorkerMessage } from '../load/worker-protocol.ts';
import { Timeline } from '../observe/timeline.ts';
import type { ScenarioResult, TimelineEvent } from '../report/result-schema.ts';
import { assembleResult } from './assemble-result.ts';
import type { ScenarioDefinition } from './define-scenario.ts';
import { startTopology, type Topology } from './topology.ts';
import { WorkerProcess } from './worker-process.ts';

export interface RunOptions {
  readonly definition: ScenarioDefinition;
  /** A choice, or a broker the caller started and will stop. */
  readonly broker: BrokerChoice | StartedBroker;
  readonly proxy: ProxyChoice;
  readonly seed: number;
  /** The run's folder; span files are written here. */
  readonly runDir: string;
  readonly gates: readonly string[];
  readonly tracing: { readonly enabled: boolean; readonly sampleRatio: number };
  readonly onProgress?: (progress: RunProgress) => void;
  readonly onPhase?: (phase: string) => void;
  /** Aborting stops the load early; what was measured is still returned. */
  readonly signal?: AbortSignal;
  /** Test-only negative control (see FibRpcClientOptions.unsafeAcceptAnyReply). */
  readonly unsafeAcceptAnyReply?: boolean;
}

export interface RunProgress {
  readonly elapsedMs: number;
  readonly plannedMs: number | undefined;
  readonly sent: number;
  readonly answered: number;
  readonly failed: number;
  readonly discarded: number;
}

const MAX_TIMELINE_EVENTS = 20_000;
const WORKER_STOP_TIMEOUT_MS = 10_000;
/** Slack on top of the load's own bound before the runner gives up on a client. */
const CLIENT_FINISH_SLACK_MS = 30_000;

/**
 * Runs one scenario end to end: environment, server and client processes, faults, and
 * then the ScenarioResult. It prints nothing: progress arrives through callbacks, and
 * writing files other than spans is the caller's business.
 */
export async function runScenario(options: RunOptions): Promise<ScenarioResult> {
  const { definition } = options;
  const startedAt = new Date();
  const runId = `${definition.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  mkdirSync(options.runDir, { recursive: true });
  const timeline = new Timeline({ maxEvents: MAX_TIMELINE_EVENTS });
  const harnessErrors: string[] = [];
  let runStartEpochMs = Date.now();
  const elapsedMs = () => Math.max(0, Date.now() - runStartEpochMs);
  const record = ({ tMs, ...event }: Omit<TimelineEvent, 'tMs'> & { tMs?: number }) => {
    timeline.add({ ...event, atMs: tMs === undefined ? Date.now() : runStartEpochMs + tMs });
  };

  options.onPhase?.(`starting broker (${typeof options.broker === 'string' ? options.broker : options.broker.describe()}) and proxy (${options.proxy})`);
  const topology = await startTopology({ broker: options.broker, proxy: options.proxy, runId: String(process.pid) + Date.now().toString(36) });
  const servers = new Map<number, WorkerProcess>();
  const serverIncarnations = new Map<number, number>();
  const serverTallies = new Map<WorkerProcess, ServerTally>();
  const clientTallies = new Map<WorkerProcess, ClientTally>();
  const finishedServers: WorkerProcess[] = [];
  const spanFiles: string[] = [];
  let brokerRestarts = 0;
  let serverKills = 0;
  let serverRestarts = 0;

  const scheduler: FaultScheduler = new FaultScheduler(definition.faults, {
    proxies: topology.proxies,
    elapsedMs,
    record,
    restartBroker: async () => {
      if (!topology.broker.restart) throw new Error(`${topology.broker.describe()} cannot be restarted by the harness`);
      brokerRestarts++;
      await topology.broker.restart();
    },
    killServer: async (server) => {
      const worker = servers.get(server);
      if (!worker) throw new Error(`server-${server} is not running`);
      serverKills++;
      worker.kill();
      await worker.exited;
    },
    startServer: async (server) => {
      serverRestarts++;
      await startServer(server);
    },
  });

  const onMessage = (worker: WorkerProcess, message: WorkerMessage) => {
    switch (message.type) {
      case 'events':
        timeline.addAll(message.events.map((event) => ({ ...event, process: worker.name })));
        return;
      case 'progress':
      case 'final':
        if (message.server) serverTallies.set(worker, message.server);
        if (message.client) {
          clientTallies.set(worker, message.client);
          scheduler.onCallsSent(sum([...clientTallies.values()], (t) => t.sent));
        }
        return;
      case 'fault-point':
        serverKills++;
        scheduler.onFaultPointKill(Number(worker.name.replace('server-', '')), message.point, message.correlationId);
        return;
      case 'fatal':
        harnessErrors.push(`${worker.name}: ${message.error}`);
        return;
      case 'ready':
        return;
    }
  };

  const tracingFor = (name: string) => {
    const spansFile = options.tracing.enabled ? join(options.runDir, `spans-${name}.jsonl`) : undefined;
    if (spansFile) spanFiles.push(spansFile);
    return { enabled: options.tracing.enabled, sampleRatio: options.tracing.sampleRatio, spansFile };
  };

  async function startServer(server: number): Promise<void> {
    const incarnation = serverIncarnations.get(server) ?? 0;
    serverIncarnations.set(server, incarnation + 1);
    const killAt = scheduler.faultPointKillsFor(server)[incarnation];
    const name = `server-${server}`;
    const config: ServerWorkerConfig = {
      role: 'server',
      name,
      amqpUrl: topology.amqpUrlThrough('servers'),
      queue: 'rpc_queue',
      prefetch: definition.topology.prefetch,
      confirmReplies: definition.topology.confirmReplies,
      runStartEpochMs,
      killAt: killAt ? { point: killAt.point, request: killAt.request } : undefined,
      tracing: tracingFor(incarnation === 0 ? name : `${name}.${incarnation + 1}`),
    };
    const worker = new WorkerProcess(config, onMessage);
    servers.set(server, worker);
    finishedServers.push(worker);
    await worker.start();
  }

  let clients: WorkerProcess[] = [];
  let loadEndedEpochMs: number | undefined;
  try {
    // Interrupted while the broker was starting: there is no load to measure, only teardown.
    if (options.signal?.aborted) throw new Interrupted();
    options.onPhase?.(`starting ${definition.topology.servers} server and ${definition.topology.clients} client processes`);
    await Promise.all(range(definition.topology.servers).map((i) => startServer(i)));
    if (options.signal?.aborted) throw new Interrupted();
    clients = range(definition.topology.clients).map((i) => {
      const name = `client-${i}`;
      const config: ClientWorkerConfig = {
        role: 'client',
        name,
        amqpUrl: topology.amqpUrlThrough('clients'),
        queue: 'rpc_queue',
        replyMode: definition.topology.replyMode,
        timeoutMs: definition.timeoutMs,
        maxInFlight: definition.load.executor === 'constant-arrival-rate' ? definition.load.maxInFlight : definition.load.concurrency,
        load: definition.load,
        maxN: definition.maxN ?? 90,
        badInputEvery: definition.badInputEvery ?? 0,
        seed: options.seed + i,
        tracing: tracingFor(name),
        unsafeAcceptAnyReply: options.unsafeAcceptAnyReply ?? false,
      };
      return new WorkerProcess(config, onMessage);
    });
    await Promise.all(clients.map((client) => client.start()));

    options.onPhase?.('running');
    runStartEpochMs = Date.now();
    scheduler.start();
    for (const client of clients) client.send({ type: 'go', runStartEpochMs });
    await waitForClients(clients, definition, options, elapsedMs, clientTallies, harnessErrors);
    loadEndedEpochMs = Date.now();
  } catch (error) {
    if (!(error instanceof Interrupted)) harnessErrors.push((error as Error).message);
  } finally {
    options.onPhase?.('stopping');
    await scheduler.stop();
    harnessErrors.push(...scheduler.errors);
    await Promise.all(clients.map((client) => client.stop(WORKER_STOP_TIMEOUT_MS)));
    await Promise.all([...servers.values()].map((server) => server.stop(WORKER_STOP_TIMEOUT_MS)));
    await topology.stop().catch((error: unknown) => harnessErrors.push(`stopping the environment: ${(error as Error).message}`));
  }

  return assembleResult({
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
    interrupted: options.signal?.aborted ?? false,
    loadEndedEpochMs,
  });
}

async function waitForClients(
  clients: WorkerProcess[],
  definition: ScenarioDefinition,
  options: RunOptions,
  elapsedMs: () => number,
  clientTallies: Map<WorkerProcess, ClientTally>,
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
  const onAbort = () => clients.forEach((client) => client.send({ type: 'stop' }));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // The signal does not fire for a listener added after the abort.
  if (options.signal?.aborted) onAbort();
  try {
    const deadline = new Promise<'deadline'>((resolve) => setTimeout(() => resolve('deadline'), boundMs).unref());
    const outcome = await Promise.race([Promise.all(clients.map((client) => client.exited)), deadline]);
    if (outcome === 'deadline') harnessErrors.push(`clients did not finish within ${Math.round(boundMs / 1000)} s; stopped them`);
    for (const client of clients) {
      if (!client.final) harnessErrors.push(`${client.name} ended without reporting its results: ${client.failureReason()}`);
    }
  } finally {
    clearInterval(progress);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Stops the run before the load starts; not a harness error. */
class Interrupted extends Error {
  constructor() {
    super('interrupted before the load started');
  }
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
