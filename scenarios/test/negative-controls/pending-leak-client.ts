import type { CreateLoadClient, LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { FibRpcClient, type FibRpcClientOptions, type RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/** What each pending entry holds besides the call: a request's context, as a real client might keep it. */
const HELD_PER_CALL_BYTES = 128 * 1024;

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: it files every call in a
 * pending table of its own with a buffer of context, and removes the entry when a reply comes
 * but never when the call times out, as rabbot#8 reports (pending replies that grow while the
 * servers never answer). Its calls still end by their timeout; the run must fail
 * pending-calls-drained (the table never empties) and client-memory-bounded (it grows by
 * HELD_PER_CALL_BYTES for every unanswered call).
 */
class PendingLeakClient implements LoadClient {
  private readonly client: FibRpcClient;
  private readonly pending = new Map<number, Buffer>();
  private nextCall = 0;

  constructor(options: FibRpcClientOptions) {
    this.client = new FibRpcClient(options);
  }

  get counters() {
    return this.client.counters;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  start(): Promise<unknown> {
    return this.client.start();
  }

  request(n: number): Promise<RpcReply> {
    return this.filed(this.client.request(n));
  }

  requestRaw(body: Buffer): Promise<RpcReply> {
    return this.filed(this.client.requestRaw(body));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async filed(call: Promise<RpcReply>): Promise<RpcReply> {
    const key = this.nextCall++;
    // Filled, so that its pages are resident: the leak shows in RSS, not only in the heap.
    this.pending.set(key, Buffer.alloc(HELD_PER_CALL_BYTES, 1));
    const reply = await call; // a timeout rejects here, and the entry stays
    this.pending.delete(key);
    return reply;
  }
}

const createPendingLeakClient: CreateLoadClient = (options) => new PendingLeakClient(options);
export default createPendingLeakClient;
