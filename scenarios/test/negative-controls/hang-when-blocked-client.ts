import type { CreateLoadClient, LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { RpcCallError } from '../../../harness/rpc/errors.ts';
import { FibRpcClient, type FibRpcClientOptions, type RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: the built-in client,
 * except that a call made while the broker blocks the connection (`connection.blocked`) waits
 * for the unblock with no timer of its own before it is sent, as a publish that blocks the
 * caller does (rabbitmq-erlang-client#93, php-amqplib#743, rabbitmq-c#836). Its calls end long
 * after their timeout, or never; the run must fail calls-end-by-timeout.
 */
class HangWhenBlockedClient implements LoadClient {
  private readonly client: FibRpcClient;
  private unblocked: Promise<void> | undefined;
  private unblock: (() => void) | undefined;
  private readonly waiting = new Set<(error: Error) => void>();

  constructor(options: FibRpcClientOptions) {
    this.client = new FibRpcClient({
      ...options,
      onConnectionEvent: (event) => {
        options.onConnectionEvent?.(event);
        if (event.kind === 'blocked' && !this.unblocked)
          this.unblocked = new Promise((resolve) => (this.unblock = resolve));
        if (event.kind === 'unblocked') {
          this.unblock?.();
          this.unblocked = this.unblock = undefined;
        }
      },
    });
  }

  get counters() {
    return this.client.counters;
  }

  get confirmsRequests(): boolean {
    return this.client.confirmsRequests;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  request(n: number): Promise<RpcReply> {
    return this.afterUnblock(() => this.client.request(n));
  }

  requestRaw(body: Buffer): Promise<RpcReply> {
    return this.afterUnblock(() => this.client.requestRaw(body));
  }

  private afterUnblock(send: () => Promise<RpcReply>): Promise<RpcReply> {
    const unblocked = this.unblocked;
    if (!unblocked) return send();
    return new Promise<RpcReply>((resolve, reject) => {
      this.waiting.add(reject);
      unblocked.then(
        () => {
          if (!this.waiting.delete(reject)) return;
          send().then(resolve, reject);
        },
        () => undefined,
      );
    });
  }

  close(): Promise<void> {
    for (const reject of this.waiting) reject(new RpcCallError('client closed while blocked', '', 'closed'));
    this.waiting.clear();
    return this.client.close();
  }
}

const createHangWhenBlockedClient: CreateLoadClient = (options) => new HangWhenBlockedClient(options);
export default createHangWhenBlockedClient;
