/**
 * Which request queue a run uses. By default each run gets its own queue, named after the
 * run, so runs sharing a broker never answer each other's requests or consume messages left
 * by someone else. A queue the user names is checked before servers start: one that already
 * holds messages or has consumers belongs to somebody else and is refused, unless the user
 * says sharing it is intended.
 */
import { randomBytes } from 'node:crypto';
import { deleteQueue, inspectQueue } from '../rpc/inspect-queue.ts';

export interface RequestQueue {
  readonly name: string;
  /** Created for this run and deleted at its end; a named queue is left as it was found. */
  readonly perRun: boolean;
}

/** The option that allows a busy named queue, as the CLI spells it. */
export const ALLOW_BUSY_QUEUE_OPTION = '--allow-busy-queue';

/** The tutorial's queue name plus the run: recognisable in the management UI, unique per run. */
export function requestQueueFor(runId: string, named: string | undefined): RequestQueue {
  if (named !== undefined) return { name: named, perRun: false };
  return { name: `rpc_queue.${runId}.${randomBytes(3).toString('hex')}`, perRun: true };
}

/**
 * Refuses a named queue that is in use: messages waiting in it would be consumed by this run's
 * servers (and answered to strangers), and its consumers would take this run's requests.
 */
export async function checkNamedQueue(
  amqpUrl: string,
  queue: RequestQueue,
  options: { allowBusy: boolean },
): Promise<void> {
  if (queue.perRun || options.allowBusy) return;
  const state = await inspectQueue(amqpUrl, queue.name);
  if (!state.exists || (state.messageCount === 0 && state.consumerCount === 0)) return;
  const holds = [
    state.messageCount > 0 ? `${state.messageCount} message${state.messageCount === 1 ? '' : 's'}` : '',
    state.consumerCount > 0 ? `${state.consumerCount} consumer${state.consumerCount === 1 ? '' : 's'}` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  throw new Error(
    `queue "${queue.name}" already has ${holds}: another program uses it, ` +
      'and this run would answer its requests and lose its own to its servers. ' +
      'Leave out --queue for a private per-run queue, name an unused queue, ' +
      `or pass ${ALLOW_BUSY_QUEUE_OPTION} if sharing it is intended`,
  );
}

/** Removes a per-run queue at the end of its run; a named queue is never deleted. */
export async function removeRunQueue(amqpUrl: string, queue: RequestQueue): Promise<void> {
  if (queue.perRun) await deleteQueue(amqpUrl, queue.name);
}
