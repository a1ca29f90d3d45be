import amqp, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import { redactMessage } from '../env/redact.ts';
import { localAddressOptions } from '../env/local-address.ts';

/**
 * The connection both RPC sides use: amqplib's built-in recovery reconnects with backoff
 * and runs `setup` (channels, queues, consumers) after every (re)connect; a broker that
 * cannot be reached at start fails after three quick retries instead of hanging.
 */
export async function connectWithRecovery(
  amqpUrl: string,
  who: string,
  setup: (model: ChannelModel) => Promise<void>,
  onDisconnect: (error: Error) => void,
): Promise<RecoveringChannelModel> {
  let connection: RecoveringChannelModel;
  try {
    connection = await amqp.connect(amqpUrl, {
      // Request/reply is latency-bound: Nagle would hold small frames for the peer's ACK.
      noDelay: true,
      ...localAddressOptions(),
      recovery: { initialDelay: 100, maxDelay: 2_000, initialMaxRetries: 3, setup },
    });
  } catch (error) {
    throw new Error(`${who} could not connect: ${redactMessage((error as Error).message)}`);
  }
  connection.on('error', () => {
    // Connection errors surface again as 'disconnect'; recovery handles them.
  });
  connection.on('disconnect', onDisconnect);
  return connection;
}
