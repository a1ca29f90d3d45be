import type { CreateLoadClient, LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { RpcCallError } from '../../../harness/rpc/errors.ts';
import { FibRpcClient, type FibRpcClientOptions, type RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/**
 * The built-in client, except that client-2 sends nothing for 4 s after it lost its connection
 * (an application that waits out a long reconnect delay): its calls fail as "not connected"
 * while the other clients, and its own connection, are back within a second. The run's
 * merged series shows barely a dip; the per-client figures must show client-2's outage.
 */
const SLOW_CLIENT = 'client-2';
const HOLD_AFTER_DISCONNECT_MS = 4_000;

class SlowToRecoverClient implements LoadClient {
  private readonly inner: FibRpcClient;
  private heldUntil = 0;

  constructor(options: FibRpcClientOptions) {
    this.inner = new FibRpcClient({
      ...options,
      onConnectionEvent: (event) => {
        if (event.kind === 'disconnected') this.heldUntil = Date.now() + HOLD_AFTER_DISCONNECT_MS;
        options.onConnectionEvent?.(event);
      },
    });
  }

  get counters() {
    return this.inner.counters;
  }

  start(): Promise<unknown> {
    return this.inner.start();
  }

  request(n: number): Promise<RpcReply> {
    return this.held() ?? this.inner.request(n);
  }

  requestRaw(body: Buffer): Promise<RpcReply> {
    return this.held() ?? this.inner.requestRaw(body);
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private held(): Promise<RpcReply> | undefined {
    if (Date.now() >= this.heldUntil) return undefined;
    this.inner.counters.failed++;
    return Promise.reject(
      new RpcCallError('not connected: waiting out the reconnect delay; call not sent', 'held', 'not-connected'),
    );
  }
}

const createSlowToRecoverClient: CreateLoadClient = (options) =>
  process.env.RPC_CHAOS_WORKER === SLOW_CLIENT ? new SlowToRecoverClient(options) : new FibRpcClient(options);
export default createSlowToRecoverClient;
