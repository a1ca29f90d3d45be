import type { CreateLoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { FibRpcClient, type FibRpcClientOptions } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: the built-in client,
 * except that after a reconnect it goes on sending reply_to = the callback queue it declared
 * first, as clients that cache the queue name do (EasyNetQ#1483, nameko#359). That queue was
 * exclusive and died with the old connection, so the broker drops every reply to it and every
 * later call times out; reply-queue-lost must fail reply-queue-renewed for it.
 */
const createOldReplyQueueClient: CreateLoadClient = (options: FibRpcClientOptions) => {
  let firstReplyTo: string | undefined;
  const client: FibRpcClient = new FibRpcClient({
    ...options,
    onConnectionEvent: (event) => {
      options.onConnectionEvent?.(event);
      if (event.kind !== 'connected') return;
      // The built-in client keeps the queue it just declared in a private field; this one puts the old name back.
      const fields = client as unknown as { replyTo: string | undefined };
      if (firstReplyTo === undefined) firstReplyTo = fields.replyTo;
      else fields.replyTo = firstReplyTo;
    },
  });
  return client;
};
export default createOldReplyQueueClient;
