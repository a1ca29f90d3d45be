import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../build/programs.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import { commandClient } from '../impl/command/command-client.ts';
import type { ClientTally } from '../impl/instance-report.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { summarizeRecordings } from '../engine/merge-recordings.ts';
import { measureClosedLoop, medianSample, type ThroughputSample } from './measure-closed-loop.ts';

export interface ProtocolBenchRow {
  /** FibRpcClient called in this process. */
  readonly inProcess: ThroughputSample;
  /**
   * The same client as a command (scenarios/implementations/node/rpc-client-driver.ts) behind the line protocol and its
   * frame tap.
   */
  readonly throughProtocol: ThroughputSample;
  readonly throughputRatio: number;
  readonly p50DeltaMs: number;
}

export interface ProtocolBenchOptions {
  readonly concurrency: number;
  readonly roundMs: number;
  readonly rounds: number;
}

const DRIVER = `${process.execPath} --import tsx ${repoPath('scenarios/implementations/node/rpc-client-driver.ts')}`;
/**
 * Calls through the protocol ask fib(2..MAX_N), distinct per call in flight; in process, fib(20): the same order of
 * work.
 */
const MAX_N = 40;

/**
 * What the client boundary of an external client costs: the built-in client called in
 * process against the same client run as a command and driven over stdin/stdout, both closed
 * loop against one in-process server on the same broker, rounds alternating.
 */
export async function benchProtocolBoundary(
  broker: StartedBroker,
  options: ProtocolBenchOptions,
): Promise<ProtocolBenchRow> {
  const inProcess: ThroughputSample[] = [];
  const throughProtocol: ThroughputSample[] = [];
  const queue = 'bench_protocol';
  const server = new FibRpcServer({ amqpUrl: broker.getAmqpUrl(), queue, prefetch: options.concurrency });
  await server.start();
  try {
    for (let round = 0; round < options.rounds; round++) {
      inProcess.push(await measureInProcess(broker.getAmqpUrl(), queue, options));
      throughProtocol.push(await measureThroughProtocol(broker.getAmqpUrl(), queue, options));
    }
  } finally {
    await server.stop();
  }
  const a = medianSample(inProcess);
  const b = medianSample(throughProtocol);
  return {
    inProcess: a,
    throughProtocol: b,
    throughputRatio: b.callsPerSec / a.callsPerSec,
    p50DeltaMs: b.p50Ms - a.p50Ms,
  };
}

async function measureInProcess(
  amqpUrl: string,
  queue: string,
  options: ProtocolBenchOptions,
): Promise<ThroughputSample> {
  const client = new FibRpcClient({ amqpUrl, queue, timeoutMs: 10_000, maxInFlight: options.concurrency * 2 });
  await client.start();
  try {
    return await measureClosedLoop((n) => client.request(n), {
      concurrency: options.concurrency,
      durationMs: options.roundMs,
      n: 20,
    });
  } finally {
    await client.close();
  }
}

async function measureThroughProtocol(
  amqpUrl: string,
  queue: string,
  options: ProtocolBenchOptions,
): Promise<ThroughputSample> {
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-protocol-bench-'));
  const errors: string[] = [];
  let tally: ClientTally | undefined;
  try {
    const client = await commandClient({ command: DRIVER, readyTimeoutMs: 60_000 }).start(
      {
        index: 1,
        name: 'bench-client',
        amqpUrl,
        queue,
        replyMode: 'callback-queue',
        timeoutMs: 10_000,
        maxInFlight: options.concurrency,
        load: { executor: 'closed-loop', concurrency: options.concurrency, durationMs: options.roundMs },
        maxN: MAX_N,
        badInputEvery: 0,
        seed: 1,
        tracing: { enabled: false, sampleRatio: 0 },
        runDir,
      },
      { events: () => undefined, fatal: (error) => errors.push(error), tally: (latest) => (tally = latest) },
    );
    client.go(Date.now());
    await client.finished;
    const latency = client.final?.latency;
    if (!latency || !tally || errors.length > 0)
      throw new Error(`the protocol bench client did not report: ${errors.join('; ') || client.failureReason()}`);
    const summary = summarizeRecordings([latency]);
    return {
      callsPerSec: (tally.answered / Math.max(1, tally.scheduleMs)) * 1000,
      p50Ms: summary.p50,
      p99Ms: summary.p99,
      calls: tally.answered,
    };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}
