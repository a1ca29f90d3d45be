/**
 * The stop-and-drain phase, run whatever happened before it: once a load ended normally the
 * servers consume what is still queued; then the faults end, every client and server stops,
 * the run's queue goes, the implementations let go of what they hold, and the environment
 * stops. What went wrong on the way is a harness error.
 */
import { drainRequestQueue } from './drain-request-queue.ts';
import { inspectQueue } from '../rpc/inspect-queue.ts';
import { removeRunQueue, type RequestQueue } from './request-queue.ts';
import type { RunOptions } from './run-contract.ts';
import { interrupted, type RunContext } from './run-context.ts';
import { closeImplementations, type UnderTest } from './start-implementations.ts';
import type { RunEnvironment } from './start-environment.ts';
import type { Topology } from './topology.ts';

const WORKER_STOP_TIMEOUT_MS = 10_000;

export interface Stopped {
  /** Requests still queued when the servers were stopped; undefined if not looked at. */
  readonly requestsQueuedAtStop: number | undefined;
  /** Consumers of the request queue when the load ended (before the drain); undefined if not looked at. */
  readonly requestQueueConsumersAtEnd: number | undefined;
  /** Requests the broker dropped unconsumed when they expired; undefined where it cannot say. */
  readonly expiredRequestIds: ReadonlySet<string> | undefined;
}

export async function stopAndDrain(
  underTest: UnderTest,
  environment: RunEnvironment,
  queue: RequestQueue,
  options: Pick<RunOptions, 'definition' | 'broker' | 'segment'>,
  context: RunContext,
): Promise<Stopped> {
  // Looked at only where a fault took the consumers away: every other run is spared the connection.
  const requestQueueConsumersAtEnd = options.definition.faults.some((fault) => fault.kind === 'delete-request-queue')
    ? await consumersAfterLoad(environment, queue, context)
    : undefined;
  const requestsQueuedAtStop = await drainAfterLoad(environment, queue, options, context);
  context.onPhase('stopping');
  const { scheduler } = underTest.faults;
  await scheduler.stop();
  context.harnessErrors.push(...scheduler.errors);
  await underTest.clients.stop(WORKER_STOP_TIMEOUT_MS);
  await underTest.servers.stop(WORKER_STOP_TIMEOUT_MS);
  await removeQueue(environment.topology, queue, options.broker, context.harnessErrors);
  await closeImplementations(underTest.implementations);
  const expiredRequests = await environment.watchingExpired;
  await expiredRequests?.stop();
  await environment.topology
    .stop()
    .catch((error: unknown) => context.harnessErrors.push(`stopping the environment: ${(error as Error).message}`));
  return { requestsQueuedAtStop, requestQueueConsumersAtEnd, expiredRequestIds: expiredRequests?.expired };
}

/** How many consumers the request queue has once the load ended: a server that stopped consuming is missing. */
async function consumersAfterLoad(
  environment: RunEnvironment,
  queue: RequestQueue,
  context: RunContext,
): Promise<number | undefined> {
  if (context.clock.loadEndedEpochMs === undefined || interrupted(context)) return undefined;
  try {
    const state = await inspectQueue(environment.topology.broker.getAmqpUrl(), queue.name);
    return state.exists ? state.consumerCount : 0;
  } catch {
    return undefined;
  }
}

/**
 * Waits, after a load that ended normally and was not interrupted, until the servers have
 * consumed every request (a timed-out call's request is still handled, late); then a
 * participant of a segmented run does its own end of the load.
 */
async function drainAfterLoad(
  environment: RunEnvironment,
  queue: RequestQueue,
  options: Pick<RunOptions, 'definition' | 'segment'>,
  context: RunContext,
): Promise<number | undefined> {
  if (context.clock.loadEndedEpochMs === undefined) return undefined;
  const brokerUrl = environment.topology.broker.getAmqpUrl();
  let requestsQueuedAtStop: number | undefined;
  try {
    if (!interrupted(context))
      requestsQueuedAtStop = await drainRequestQueue(
        brokerUrl,
        queue.name,
        Math.max(5_000, 2 * options.definition.timeoutMs),
      );
    await options.segment?.afterLoad(brokerUrl, context.harnessErrors);
  } catch (error) {
    context.harnessErrors.push((error as Error).message);
  }
  return requestsQueuedAtStop;
}

/**
 * A private node this run started is deleted with its queues a moment later; elsewhere a per-run
 * queue is deleted now.
 */
async function removeQueue(
  topology: Topology,
  queue: RequestQueue,
  broker: RunOptions['broker'],
  harnessErrors: string[],
): Promise<void> {
  const brokerDeletedAtStop =
    typeof broker === 'string' && (topology.broker.kind === 'local' || topology.broker.kind === 'cluster');
  if (brokerDeletedAtStop) return;
  await removeRunQueue(topology.broker.getAmqpUrl(), queue).catch((error: unknown) => {
    // A private node is deleted with its queues; on a shared broker the leftover must be named.
    if (topology.broker.kind !== 'local')
      harnessErrors.push(
        `could not delete this run's queue "${queue.name}": ${(error as Error).message}; delete it by hand`,
      );
  });
}
