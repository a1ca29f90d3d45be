/**
 * Requests carry an AMQP expiration equal to the call timeout, so a request nobody consumed
 * in time is dropped by the broker. To tell such a request from one a stranger consumed,
 * a private node dead-letters expired requests (a policy on the request queues) to an
 * exchange of the harness's own, where the runner collects their correlation ids.
 */
import { createHash, randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { amqpSocketOptions } from '../local-address.ts';

export const EXPIRED_REQUESTS_EXCHANGE = 'rpc-chaos.expired-requests';
/** Queues the policy applies to: the default `rpc_queue` and every per-run `rpc_queue.<run>`. */
const REQUEST_QUEUE_PATTERN = '^rpc_queue';

/** RabbitMQ's default password hashing (rabbit_password_hashing_sha256): base64(salt + sha256(salt + password)). */
function rabbitPasswordHash(password: string): string {
  const salt = randomBytes(4);
  const digest = createHash('sha256')
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return Buffer.concat([salt, digest]).toString('base64');
}

/**
 * Definitions a private node imports at boot. A node that imports definitions does not
 * create its default user and vhost, so they are part of it.
 */
export function privateNodeDefinitions(): object {
  return {
    users: [
      {
        name: 'guest',
        password_hash: rabbitPasswordHash('guest'),
        hashing_algorithm: 'rabbit_password_hashing_sha256',
        tags: ['administrator'],
      },
    ],
    vhosts: [{ name: '/' }],
    permissions: [{ user: 'guest', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
    exchanges: [
      {
        name: EXPIRED_REQUESTS_EXCHANGE,
        vhost: '/',
        type: 'direct',
        durable: true,
        auto_delete: false,
        internal: false,
        arguments: {},
      },
    ],
    policies: [
      {
        vhost: '/',
        name: 'rpc-chaos-expired-requests',
        pattern: REQUEST_QUEUE_PATTERN,
        'apply-to': 'queues',
        definition: { 'dead-letter-exchange': EXPIRED_REQUESTS_EXCHANGE },
        priority: 0,
      },
    ],
  };
}

export interface ExpiredRequestsWatch {
  /** Correlation ids of requests of this run that expired unconsumed, so far. */
  readonly expired: ReadonlySet<string>;
  stop(): Promise<void>;
}

/**
 * Collects the correlation ids of this run's requests that expired in `queue`. Undefined
 * when the broker has no such exchange (a broker the harness did not configure): then
 * expired requests cannot be told apart and are not excused.
 */
export async function watchExpiredRequests(
  brokerUrl: string,
  queue: string,
  maxIds = 1_000_000,
): Promise<ExpiredRequestsWatch | undefined> {
  const connection = await amqp.connect(brokerUrl, amqpSocketOptions({}));
  // The node it is connected to may be killed mid-run (cluster node faults): the watch then
  // ends, and later expiries go unexcused, but the run goes on.
  connection.on('error', () => undefined);
  try {
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    await probe.checkExchange(EXPIRED_REQUESTS_EXCHANGE);
    await probe.close();
  } catch {
    await connection.close().catch(() => undefined);
    return undefined;
  }
  const expired = new Set<string>();
  const channel = await connection.createChannel();
  const { queue: deadLetters } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  // Dead-lettered messages keep their routing key: the request queue's name.
  await channel.bindQueue(deadLetters, EXPIRED_REQUESTS_EXCHANGE, queue);
  await channel.consume(
    deadLetters,
    (message) => {
      const id = message?.properties.correlationId;
      if (typeof id === 'string' && expired.size < maxIds) expired.add(id);
    },
    { noAck: true },
  );
  return {
    expired,
    async stop() {
      await connection.close().catch(() => undefined);
    },
  };
}

/**
 * One watch per broker URL, their ids unioned: on a cluster each node gets a dead-letter queue
 * of its own, bound with the same key, so every expiry reaches every node still up and a
 * killed or paused node costs nothing. Undefined when no node can be watched.
 */
export async function watchExpiredRequestsOnEach(
  brokerUrls: readonly string[],
  queue: string,
): Promise<ExpiredRequestsWatch | undefined> {
  const started = await Promise.all(brokerUrls.map((url) => watchExpiredRequests(url, queue).catch(() => undefined)));
  const watches = started.filter((watch): watch is ExpiredRequestsWatch => watch !== undefined);
  if (watches.length === 0) return undefined;
  if (watches.length === 1) return watches[0];
  return {
    get expired() {
      return new Set(watches.flatMap((watch) => [...watch.expired]));
    },
    async stop() {
      await Promise.all(watches.map((watch) => watch.stop()));
    },
  };
}
