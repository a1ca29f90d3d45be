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

async function measureRaw(
  amqpUrl: string,
  replyMode: ReplyMode,
  options: RpcBenchOptions,
  round: number,
  noDelay: boolean,
): Promise<ThroughputSample> {
  const queue = `bench_raw_${noDelay ? 'nodelay_' : ''}${replyMode}_${round}`;
  const server = await startRawServer(amqpUrl, queue, options.prefetch, noDelay);
  const client = await startRawClient(amqpUrl, queue, replyMode, noDelay);
  try {
    return await measureClosedLoop((n) => client.call(n), {
      concurrency: options.concurrency,
      durationMs: options.roundMs,
      n: options.n,
    });
  } finally {
    await client.stop();
    await server.stop();
  }
}

async function measureOurs(
  amqpUrl: string,
  replyMode: ReplyMode,
  options: RpcBenchOptions,
  round: number,
): Promise<ThroughputSample> {
  const queue = `bench_ours_${replyMode}_${round}`;
  const server = await new FibRpcServer({ amqpUrl, queue, prefetch: options.prefetch }).start();
  const client = await new FibRpcClient({ amqpUrl, queue, replyMode, maxInFlight: options.concurrency * 2 }).start();
  try {
    return await measureClosedLoop((n) => client.call(n), {
      concurrency: options.concurrency,
      durationMs: options.roundMs,
      n: options.n,
    });
  } finally {
    await client.close();
    await server.stop();
  }
}

export interface ServerAloneRow {
  /** A minimal amqplib server (consume, compute, publish, ack) with the same prefetch and TCP_NODELAY. */
  readonly minimal: ThroughputSample;
  readonly ours: ThroughputSample;
  /** ours / minimal calls per second: the target is >= 0.95. */
  readonly throughputRatio: number;
}

/**
 * FibRpcServer alone against a minimal amqplib server with the same prefetch and TCP_NODELAY,
 * both driven by the same raw amqplib client (TCP_NODELAY, callback queue), rounds alternating.
 */
export async function benchServerAlone(broker: StartedBroker, options: RpcBenchOptions): Promise<ServerAloneRow> {
  const amqpUrl = broker.getAmqpUrl();
  const minimalSamples: ThroughputSample[] = [];
  const ourSamples: ThroughputSample[] = [];
  const measure = async (queue: string, start: () => Promise<{ stop(): Promise<void> }>) => {
    const server = await start();
    const client = await startRawClient(amqpUrl, queue, 'callback-queue', true);
    try {
      return await measureClosedLoop((n) => client.call(n), {
        concurrency: options.concurrency,
        durationMs: options.roundMs,
        n: options.n,
      });
    } finally {
      await client.stop();
      await server.stop();
    }
  };
  for (let round = 0; round < options.rounds; round++) {
    const minimalQueue = `bench_server_minimal_${round}`;
    minimalSamples.push(
      await measure(minimalQueue, () => startRawServer(amqpUrl, minimalQueue, options.prefetch, true)),
    );
    const ourQueue = `bench_server_ours_${round}`;
    ourSamples.push(
      await measure(ourQueue, async () => {
        const server = await new FibRpcServer({ amqpUrl, queue: ourQueue, prefetch: options.prefetch }).start();
        return { stop: () => server.stop() };
      }),
    );
  }
  const minimal = medianSample(minimalSamples);
  const ours = medianSample(ourSamples);
  return { minimal, ours, throughputRatio: ours.callsPerSec / minimal.callsPerSec };
}
