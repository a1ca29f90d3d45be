/**
 * The built-in FibRpcServer and FibRpcClient as implementations: each instance is a worker
 * process (harness/load/worker-main.ts) driven over IPC. The in-process fault-point hooks
 * and the client's own load generator are this adapter's business, not the runner's.
 */
import type { ClientWorkerConfig, ServerWorkerConfig, WorkerMessage } from '../load/worker-protocol.ts';
import { WorkerProcess } from '../scenario/worker-process.ts';
import type {
  ClientImplementation,
  ClientInstance,
  ClientObserver,
  FaultPoint,
  InstanceObserver,
  ServerImplementation,
  ServerInstance,
  ServerObserver,
} from './implementation.ts';

export interface BuiltinClientOptions {
  /** Module creating the RPC client the load runs through (see ClientWorkerConfig.clientModule). */
  readonly clientModule?: string;
}

export function builtinServer(): ServerImplementation {
  return {
    label: 'builtin',
    async start(launch, observer) {
      const config: ServerWorkerConfig = {
        role: 'server',
        name: launch.name,
        amqpUrl: launch.amqpUrl,
        queue: launch.queue,
        prefetch: launch.prefetch,
        confirmReplies: launch.confirmReplies,
        queueType: launch.queueType,
        runStartEpochMs: launch.runStartEpochMs,
        killAt: launch.killAt,
        tracing: launch.tracing,
      };
      const worker = new WorkerProcess(config, (_, message) => forward(message, observer, observer));
      await startOrKill(worker);
      return workerInstance(worker);
    },
  };
}

export function builtinClient(options: BuiltinClientOptions = {}): ClientImplementation {
  return {
    label: options.clientModule ? `builtin load through ${options.clientModule}` : 'builtin',
    async start(launch, observer) {
      const config: ClientWorkerConfig = {
        role: 'client',
        name: launch.name,
        amqpUrl: launch.amqpUrl,
        queue: launch.queue,
        replyMode: launch.replyMode,
        timeoutMs: launch.timeoutMs,
        maxInFlight: launch.maxInFlight,
        load: launch.load,
        maxN: launch.maxN,
        badInputEvery: launch.badInputEvery,
        seed: launch.seed,
        callPlan: launch.callPlan,
        tracing: launch.tracing,
        clientModule: options.clientModule,
      };
      const worker = new WorkerProcess(config, (_, message) => forward(message, observer, undefined, observer));
      await startOrKill(worker);
      const instance: ClientInstance = {
        name: worker.name,
        get final() {
          return worker.final;
        },
        get pid() {
          return worker.pid;
        },
        finished: worker.exited.then(() => undefined),
        go: (runStartEpochMs) => worker.send({ type: 'go', runStartEpochMs }),
        requestStop: () => worker.send({ type: 'stop' }),
        failureReason: () => worker.failureReason(),
        kill: () => worker.kill(),
        stop: async (timeoutMs) => {
          await worker.stop(timeoutMs);
        },
      };
      return instance;
    },
  };
}

async function startOrKill(worker: WorkerProcess): Promise<void> {
  try {
    await worker.start();
  } catch (error) {
    worker.kill();
    await worker.exited;
    throw error;
  }
}

function workerInstance(worker: WorkerProcess): ServerInstance {
  return {
    name: worker.name,
    get final() {
      return worker.final;
    },
    get pid() {
      return worker.pid;
    },
    exited: worker.exited,
    kill: () => worker.kill(),
    stop: async (timeoutMs) => {
      await worker.stop(timeoutMs);
    },
  };
}

function forward(message: WorkerMessage, observer: InstanceObserver, server?: ServerObserver, client?: ClientObserver): void {
  switch (message.type) {
    case 'events':
      observer.events(message.events);
      return;
    case 'progress':
    case 'final':
      if (message.handledCallIds) server?.handled(message.handledCallIds);
      if (message.server) server?.tally(message.server);
      if (message.client) client?.tally(message.client);
      return;
    case 'fault-point':
      server?.faultPointKill(message.point as FaultPoint, message.correlationId);
      return;
    case 'fatal':
      observer.fatal(message.error);
      return;
    case 'ready':
      return;
  }
}
