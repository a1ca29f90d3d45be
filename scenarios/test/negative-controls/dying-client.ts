import type { CreateLoadClient, LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { RpcCallError } from '../../../harness/rpc/errors.ts';
import { FibRpcClient, type FibRpcClientOptions, type RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: the built-in client,
 * except that the first stale reply it discards (a duplicate, a late or unknown reply) closes
 * it, as some RPC libraries do when they throw on an unknown correlation id. Every later call
 * fails at once; the run must fail kept-working-after-stale-replies and name that reply.
 */
class DyingClient implements LoadClient {
  private readonly client: FibRpcClient;
  private closedBy: string | undefined;

  constructor(options: FibRpcClientOptions) {
    this.client = new FibRpcClient({
      ...options,
      onDiscard: (reply) => {
        options.onDiscard?.(reply);
        this.closedBy ??= `RPC client is closed: it threw on the ${reply.kind} reply ${reply.correlationId ?? ''}`;
      },
    });
  }

  get counters() {
    return this.client.counters;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  request(n: number): Promise<RpcReply> {
    if (this.closedBy) return Promise.reject(new RpcCallError(this.closedBy, '', 'closed'));
    return this.client.request(n);
  }

  requestRaw(body: Buffer): Promise<RpcReply> {
    if (this.closedBy) return Promise.reject(new RpcCallError(this.closedBy, '', 'closed'));
    return this.client.requestRaw(body);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

const createDyingClient: CreateLoadClient = (options) => new DyingClient(options);
export default createDyingClient;
