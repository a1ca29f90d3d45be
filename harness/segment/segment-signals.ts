/**
 * How the servers run learns that the segments are done, through the one thing all
 * participants share: the broker. Each clients segment, once its load is over and its
 * requests drained, publishes "segment k of K done" to a queue next to the request queue;
 * the servers run keeps its servers up until it has heard from every segment, or until its
 * deadline. No coordinator of our own: a scheduler (Kubernetes, a CI matrix) starts the
 * participants, the agreed start time lines them up, the broker carries the end.
 */
import amqp from 'amqplib';
import { amqpSocketOptions } from '../env/local-address.ts';
import { redactMessage } from '../env/redact.ts';

/** A leftover done queue (a servers run that crashed) removes itself after an hour unused. */
const DONE_QUEUE_ARGUMENTS = { 'x-expires': 3_600_000 };

export function doneQueueName(requestQueue: string): string {
  return `${requestQueue}.segments-done`;
}

async function openChannel(brokerUrl: string) {
  let connection: amqp.ChannelModel;
  try {
    connection = await amqp.connect(brokerUrl, amqpSocketOptions({ timeout: 5_000 }));
  } catch (error) {
    throw new Error(
      `could not reach the broker to signal between segments: ${redactMessage((error as Error).message)}`,
    );
  }
  connection.on('error', () => undefined);
  const channel = await connection.createConfirmChannel();
  return { connection, channel };
}

/** Tells the servers run that segment `index` of `count` has finished; confirmed by the broker. */
export async function announceSegmentDone(
  brokerUrl: string,
  requestQueue: string,
  index: number,
  count: number,
): Promise<void> {
  const { connection, channel } = await openChannel(brokerUrl);
  try {
    const queue = doneQueueName(requestQueue);
    await channel.assertQueue(queue, { durable: false, arguments: DONE_QUEUE_ARGUMENTS });
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ segment: index, of: count })), {
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export interface SegmentsDone {
  readonly done: readonly number[];
  readonly missing: readonly number[];
  /** Messages that were not "segment k of count" (another run's, or garbage). */
  readonly ignored: number;
}

/**
 * Waits until segments 1..count have all said they are done, the deadline passes, or the
 * signal aborts; then deletes the done queue. Never throws for a missing segment: the
 * answer says which ones did not report.
 */
export async function awaitSegmentsDone(
  brokerUrl: string,
  requestQueue: string,
  count: number,
  deadlineEpochMs: number,
  signal?: AbortSignal,
): Promise<SegmentsDone> {
  const { connection, channel } = await openChannel(brokerUrl);
  const queue = doneQueueName(requestQueue);
  const done = new Set<number>();
  let ignored = 0;
  try {
    await channel.assertQueue(queue, { durable: false, arguments: DONE_QUEUE_ARGUMENTS });
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', finish);
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, deadlineEpochMs - Date.now()));
      signal?.addEventListener('abort', finish, { once: true });
      if (signal?.aborted) finish();
      void channel.consume(queue, (message) => {
        if (!message) return;
        channel.ack(message);
        const body = parseDone(message.content.toString('utf8'));
        if (body && body.of === count && body.segment >= 1 && body.segment <= count) done.add(body.segment);
        else ignored++;
        if (done.size === count) finish();
      });
    });
    await channel.deleteQueue(queue).catch(() => undefined);
  } finally {
    await connection.close().catch(() => undefined);
  }
  const all = Array.from({ length: count }, (_, i) => i + 1);
  return { done: all.filter((k) => done.has(k)), missing: all.filter((k) => !done.has(k)), ignored };
}

function parseDone(text: string): { segment: number; of: number } | undefined {
  try {
    const value = JSON.parse(text) as { segment?: unknown; of?: unknown };
    return typeof value.segment === 'number' && typeof value.of === 'number'
      ? { segment: value.segment, of: value.of }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves at `epochMs` (at once if past), or early when the signal aborts. */
export function sleepUntil(epochMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, Math.max(0, epochMs - Date.now()));
    signal?.addEventListener('abort', finish, { once: true });
    if (signal?.aborted) finish();
  });
}
