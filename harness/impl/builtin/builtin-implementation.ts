/**
 * The built-in FibRpcServer and FibRpcClient as implementations: each instance is a worker
 * process (harness/impl/builtin/worker-main.ts, compiled) driven over IPC. The in-process fault-point
 * hooks and the client's own load generator are this adapter's business, not the runner's.
 * Worker processes are started ahead of need (prepare), so starting an instance, also a
 * restarted server, costs its broker connection, not Node's start-up.
 */
import type { ClientWorkerConfig, ServerWorkerConfig, WorkerMessage } from './worker-protocol.ts';
import { WarmWorkers } from './warm-workers.ts';
import { WorkerProcess } from './worker-process.ts';
import type {
  ClientImplementation,
  ClientInstance,
  ClientObserver,
  FaultPoint,
  InstanceObserver,
  ServerImplementation,
  ServerInstance,
  ServerObserver,
} from '../implementation.ts';

export interface BuiltinClientOptions {
  /**
   * A module whose default export creates the RPC client the built-in load runs through (a
   * CreateLoadClient, harness/impl/builtin/load-client.ts): a Node client of your own under the
   * harness's load, checks and faults. Registered with a run as its client implementation
   * (RunOptions.implementations); absent: the built-in FibRpcClient.
   */
  readonly clientModule?: string;
}

export function builtinServer(): ServerImplementation {
  const warm = new WarmWorkers({ role: 'server' });
  return {
    label: 'builtin',
    prepare: (names) => warm.prepare(names),
    async start(launch, observer) {
      const config: ServerWorkerConfig = { ...launch, role: 'server' };
      const worker = new WorkerProcess(
        config,
        (_, message) => forward(message, observer, observer),
        warm.take(launch.name),
      );
      await startOrKill(worker);
      return workerInstance(worker);
    },
    close: () => warm.close(),
  };
}

export function builtinClient(options: BuiltinClientOptions = {}): ClientImplementation {
  // A client module in TypeScript runs in a worker from source, so that it and the worker share
  // one copy of the harness's modules (the worker tells RpcCallError apart with instanceof).
  const warm = new WarmWorkers({
    role: 'client',
    fromSource: options.clientModule !== undefined && /\.[mc]?ts$/.test(options.clientModule),
  });
  return {
    label: options.clientModule ? `builtin load through ${options.clientModule}` : 'builtin',
    prepare: (names) => warm.prepare(names),
    close: () => warm.close(),
    async start(launch, observer) {
      const config: ClientWorkerConfig = { ...launch, role: 'client', clientModule: options.clientModule };
      const worker = new WorkerProcess(
        config,
        (_, message) => forward(message, observer, undefined, observer),
        warm.take(launch.name),
      );
      await startOrKill(worker);
      const instance: ClientInstance = {
        name: worker.name,
        get final() {
          return worker.final;
        },
        get pid() {
          return worker.pid;
        },
        get warmup() {
          return worker.warmup;
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
    withholdReplies: async (withhold) => worker.send({ type: 'withhold-replies', withhold }),
  };
}

function forward(
  message: WorkerMessage,
  observer: InstanceObserver,
  server?: ServerObserver,
  client?: ClientObserver,
): void {
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
