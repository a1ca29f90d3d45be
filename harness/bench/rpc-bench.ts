import type { StartedBroker } from '../env/broker/broker.ts';
import { FibRpcClient, REPLY_MODES, type ReplyMode } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop, medianSample, type ThroughputSample } from './measure-closed-loop.ts';
import { startRawClient, startRawServer } from './raw-rpc-loop.ts';

export interface RpcBenchRow {
  readonly replyMode: ReplyMode;
  /** The raw loop with amqplib's defaults (Nagle on). */
  readonly raw: ThroughputSample;
  /** The raw loop with TCP_NODELAY, as our connections use. */
  readonly rawNoDelay: ThroughputSample;
  readonly ours: ThroughputSample;
  /** ours / raw calls per second: the target is >= 0.95. */
  readonly throughputRatio: number;
  /** ours / raw-with-noDelay calls per second: the cost of our bookkeeping alone. */
  readonly throughputRatioNoDelay: number;
}

export interface RpcBenchOptions {
  readonly concurrency: number;
  readonly roundMs: number;
  readonly rounds: number;
  readonly n: number;
  readonly prefetch: number;
}

/**
 * FibRpcClient/FibRpcServer against the raw amqplib loop on the same broker in the same run.
 * Rounds alternate raw/ours so that drift of a noisy machine hits both alike; the median
 * round of each is compared.
 */
export async function benchRpc(broker: StartedBroker, options: RpcBenchOptions): Promise<RpcBenchRow[]> {
  const rows: RpcBenchRow[] = [];
  for (const replyMode of REPLY_MODES) {
    const rawSamples: ThroughputSample[] = [];
    const rawNoDelaySamples: ThroughputSample[] = [];
    const ourSamples: ThroughputSample[] = [];
    for (let round = 0; round < options.rounds; round++) {
      rawSamples.push(await measureRaw(broker.getAmqpUrl(), replyMode, options, round, false));
      ourSamples.push(await measureOurs(broker.getAmqpUrl(), replyMode, options, round));
      rawNoDelaySamples.push(await measureRaw(broker.getAmqpUrl(), replyMode, options, round, true));
    }
    const raw = medianSample(rawSamples);
    const rawNoDelay = medianSample(rawNoDelaySamples);
    const ours = medianSample(ourSamples);
    rows.push({
      replyMode,
      raw,
      rawNoDelay,
      ours,
      throughputRatio: ours.callsPerSec / raw.callsPerSec,
      throughputRatioNoDelay: ours.callsPerSec / rawNoDelay.callsPerSec,
    });
  }
  return rows;
}

async function measureRaw(amqpUrl: string, replyMode: ReplyMode, options: RpcBenchOptions, round: number, noDelay: boolean): Promise<ThroughputSample> {
  const queue = `bench_raw_${noDelay ? 'nodelay_' : ''}${replyMode}_${round}`;
  const server = await startRawServer(amqpUrl, queue, options.prefetch, noDelay);
  const client = await startRawClient(amqpUrl, queue, replyMode, noDelay);
  try {
    return await measureClosedLoop((n) => client.call(n), { concurrency: options.concurrency, durationMs: options.roundMs, n: options.n });
  } finally {
    await client.stop();
    await server.stop();
  }
}

async function measureOurs(amqpUrl: string, replyMode: ReplyMode, options: RpcBenchOptions, round: number): Promise<ThroughputSample> {
  const queue = `bench_ours_${replyMode}_${round}`;
  const server = await new FibRpcServer({ amqpUrl, queue, prefetch: options.prefetch }).start();
  const client = await new FibRpcClient({ amqpUrl, queue, replyMode, maxInFlight: options.concurrency * 2 }).start();
  try {
    return await measureClosedLoop((n) => client.call(n), { concurrency: options.concurrency, durationMs: options.roundMs, n: options.n });
  } finally {
    await client.close();
    await server.stop();
  }
}
