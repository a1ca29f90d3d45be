import type { CreateLoadClient, LoadClient } from '../../../harness/impl/builtin/load-client.ts';
import { FibRpcClient, type FibRpcClientOptions, type RpcReply } from '../../../harness/rpc/fib-rpc-client.ts';

/** What a timed-out call's entry holds: a buffer set aside for the reply it still waits for. */
const HELD_PER_TIMED_OUT_CALL_BYTES = 256 * 1024;

/**
 * A client module (ClientWorkerConfig.clientModule), wrong on purpose: it files every call in a
 * pending table of its own and removes the entry when the reply comes, but when a call times out
 * it keeps the entry, with a buffer for the reply it goes on waiting for: the pending replies
 * that grow while the servers never answer of rabbot#8. Its calls still end by their timeout;
 * the run must fail pending-calls-drained (the table never empties) and client-memory-bounded
 * (it grows by HELD_PER_TIMED_OUT_CALL_BYTES for every unanswered call).
 */
class PendingLeakClient implements LoadClient {
  private readonly client: FibRpcClient;
  private readonly pending = new Map<number, { awaitingLateReply?: Buffer }>();
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
    const entry: { awaitingLateReply?: Buffer } = {};
    this.pending.set(key, entry);
    try {
      const reply = await call;
      this.pending.delete(key);
      return reply;
    } catch (error) {
      // The bug: the entry stays. Filled, so that its pages are resident and the leak shows in RSS.
      entry.awaitingLateReply = Buffer.alloc(HELD_PER_TIMED_OUT_CALL_BYTES, 1);
      throw error;
    }
  }
}

const createPendingLeakClient: CreateLoadClient = (options) => new PendingLeakClient(options);
export default createPendingLeakClient;
