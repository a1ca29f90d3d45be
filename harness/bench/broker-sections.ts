/**
 * The bench sections that measure on a RabbitMQ node, in the order they run. Each runs its
 * measurement, keeps it in the results under its JSON key, and prints its table.
 */
import type { StartedBroker } from '../env/broker/broker.ts';
import { benchRpc, benchServerAlone } from './rpc-bench.ts';
import { benchTracing, benchTracingAlternating } from './tracing-bench.ts';
import { benchProxy } from './proxy-bench.ts';
import { benchTap } from './tap-bench.ts';
import { benchProtocolBoundary } from './protocol-bench.ts';
import { benchMemory } from './memory-bench.ts';
import { RSS_GROWTH_TARGET } from '../observe/rss-slope.ts';
import { benchLateReply } from './late-reply-bench.ts';
import { benchStartup } from './startup-bench.ts';
import { median } from './sample-stats.ts';
import { benchOpenLoop } from './open-loop-bench.ts';
import { formatTable } from './format-table.ts';
import type { BenchOptions } from './bench-options.ts';
import type { BenchResults, BenchSection } from './bench-results.ts';

export interface BrokerSection {
  readonly name: BenchSection;
  readonly run: (node: StartedBroker, options: BenchOptions, results: BenchResults) => Promise<void>;
}

async function serverAlone(
  node: StartedBroker,
  { roundMs, rounds }: BenchOptions,
  results: BenchResults,
): Promise<void> {
  const server = await benchServerAlone(node, { concurrency: 32, roundMs, rounds, n: 20, prefetch: 100 });
  results.serverAlone = server;
  console.log(
    '\nServer alone: FibRpcServer vs a minimal amqplib server, both prefetch 100 and TCP_NODELAY, ' +
      'driven by the same raw client (closed loop, 32 callers, fib(20); target ratio >= 0.95)',
  );
  console.log(
    formatTable(
      ['minimal calls/s', 'ours calls/s', 'ratio', 'minimal p50/p99 ms', 'ours p50/p99 ms'],
      [
        [
          server.minimal.callsPerSec.toFixed(0),
          server.ours.callsPerSec.toFixed(0),
          server.throughputRatio.toFixed(3),
          `${server.minimal.p50Ms.toFixed(2)}/${server.minimal.p99Ms.toFixed(2)}`,
          `${server.ours.p50Ms.toFixed(2)}/${server.ours.p99Ms.toFixed(2)}`,
        ],
      ],
    ),
  );
}

async function rpcAgainstRawLoop(
  node: StartedBroker,
  { roundMs, rounds }: BenchOptions,
  results: BenchResults,
): Promise<void> {
  const rpc = await benchRpc(node, { concurrency: 32, roundMs, rounds, n: 20, prefetch: 32 });
  results.rpc = rpc;
  console.log(
    '\nRPC: FibRpcClient/FibRpcServer vs a raw amqplib request/reply loop ' +
      '(closed loop, 32 callers, fib(20); target ratio >= 0.95; ' +
      'ours sends the frames of one event-loop turn in one writev, the raw loop one write per frame)',
  );
  console.log(
    formatTable(
      [
        'reply mode',
        'raw calls/s',
        'raw+nodelay calls/s',
        'ours calls/s',
        'ratio',
        'ratio vs nodelay',
        'raw p50/p99 ms',
        'raw+nodelay p50/p99 ms',
        'ours p50/p99 ms',
      ],
      rpc.map((row) => [
        row.replyMode,
        row.raw.callsPerSec.toFixed(0),
        row.rawNoDelay.callsPerSec.toFixed(0),
        row.ours.callsPerSec.toFixed(0),
        row.throughputRatio.toFixed(3),
        row.throughputRatioNoDelay.toFixed(3),
        `${row.raw.p50Ms.toFixed(2)}/${row.raw.p99Ms.toFixed(2)}`,
        `${row.rawNoDelay.p50Ms.toFixed(2)}/${row.rawNoDelay.p99Ms.toFixed(2)}`,
        `${row.ours.p50Ms.toFixed(2)}/${row.ours.p99Ms.toFixed(2)}`,
      ]),
    ),
  );
}

/** Two measurements: each tracing mode in a process of its own, then 1 % switched on and off in one process. */
async function tracingOverhead(node: StartedBroker, options: BenchOptions, results: BenchResults): Promise<void> {
  const { roundMs, rounds } = options;
  const tracing = await benchTracing(node, { roundMs, rounds });
  results.tracing = tracing;
  console.log(
    '\nTracing overhead (in-process server + client, closed loop, 32 callers, after a warm-up; ' +
      'loss and CPU paired with "off" per round, medians; target: <= 5 % throughput loss at 1 %)',
  );
  console.log(
    formatTable(
      ['tracing', 'calls/s', 'p50 ms', 'p99 ms', 'CPU us/call', 'throughput loss', 'CPU overhead', 'loss by round'],
      tracing.map((row) => [
        row.mode,
        row.sample.callsPerSec.toFixed(0),
        row.sample.p50Ms.toFixed(2),
        row.sample.p99Ms.toFixed(2),
        row.cpuUsPerCall.toFixed(1),
        `${(row.throughputLoss * 100).toFixed(1)} %`,
        `${(row.cpuOverhead * 100).toFixed(1)} %`,
        row.throughputLossByRound.map((loss) => (loss * 100).toFixed(0)).join(' '),
      ]),
    ),
  );
  const alternating = await benchTracingAlternating(node, {
    sampleRatio: 0.01,
    windowMs: Math.min(500, roundMs),
    pairs: options.tracingPairs,
  });
  results.tracingAlternating = alternating;
  const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
  console.log(
    `\nTracing at 1 % switched on and off in one process ` +
      `(${alternating.pairs} pairs of ${alternating.windowMs} ms windows, order swapped each pair, ` +
      `an "on" window's span flush counted in it; medians of the pairs; target: <= 5 % throughput loss)`,
  );
  console.log(
    formatTable(
      ['off calls/s', 'on calls/s', 'throughput loss', 'loss quartiles', 'CPU overhead'],
      [
        [
          alternating.offCallsPerSec.toFixed(0),
          alternating.onCallsPerSec.toFixed(0),
          percent(alternating.throughputLoss),
          `${percent(alternating.lossQuartiles[0])} .. ${percent(alternating.lossQuartiles[1])}`,
          percent(alternating.cpuOverhead),
        ],
      ],
    ),
  );
}

async function builtinProxy(
  node: StartedBroker,
  { roundMs, rounds }: BenchOptions,
  results: BenchResults,
): Promise<void> {
  const proxy = await benchProxy(node, { roundMs, rounds });
  results.proxy = proxy;
  console.log(
    '\nBuilt-in proxy: RPC with client and server behind the proxy vs direct ' +
      '(targets: p50 through the proxy <= 1.1x direct, throughput >= 0.9x)',
  );
  console.log(
    formatTable(
      [
        'load',
        'proxy placement',
        'direct calls/s',
        'proxied calls/s',
        'throughput ratio',
        'direct p50/p99 ms',
        'proxied p50/p99 ms',
        'p50 ratio',
      ],
      proxy.map((row) => [
        row.load,
        row.placement,
        row.direct.callsPerSec.toFixed(0),
        row.proxied.callsPerSec.toFixed(0),
        row.throughputRatio.toFixed(3),
        `${row.direct.p50Ms.toFixed(3)}/${row.direct.p99Ms.toFixed(2)}`,
        `${row.proxied.p50Ms.toFixed(3)}/${row.proxied.p99Ms.toFixed(2)}`,
        row.p50Ratio.toFixed(3),
      ]),
    ),
  );
}

async function frameTap(node: StartedBroker, { roundMs, rounds }: BenchOptions, results: BenchResults): Promise<void> {
  const tap = await benchTap(node, { roundMs, rounds });
  results.tap = tap;
  console.log(
    '\nAMQP frame tap: RPC with a tap in front of the proxy on client and server vs the proxy alone; ' +
      '"in memory" hands bytes to the built-in proxy, "over TCP" is the hop used in front of a real Toxiproxy ' +
      '(targets: throughput >= 0.95x, p50 +<= 0.05 ms; per-round pairs, medians)',
  );
  console.log(
    formatTable(
      [
        'load',
        'no tap calls/s',
        'tap calls/s',
        'throughput ratio',
        'no tap p50/p99 ms',
        'tap p50/p99 ms',
        'p50 delta ms',
        'over TCP: ratio / p50 delta ms',
        'proxy host CPU µs/call no tap/tap/over TCP',
      ],
      tap.map((row) => [
        row.load,
        row.withoutTap.callsPerSec.toFixed(0),
        row.withTap.callsPerSec.toFixed(0),
        row.throughputRatio.toFixed(3),
        `${row.withoutTap.p50Ms.toFixed(3)}/${row.withoutTap.p99Ms.toFixed(2)}`,
        `${row.withTap.p50Ms.toFixed(3)}/${row.withTap.p99Ms.toFixed(2)}`,
        row.p50DeltaMs.toFixed(3),
        `${row.overTcp.throughputRatio.toFixed(3)} / ${row.overTcp.p50DeltaMs.toFixed(3)}`,
        `${row.hostCpuUsPerCall.withoutTap.toFixed(0)}/` +
          `${row.hostCpuUsPerCall.withTap.toFixed(0)}/${row.hostCpuUsPerCall.overTcp.toFixed(0)}`,
      ]),
    ),
  );
}

async function lineProtocol(
  node: StartedBroker,
  { roundMs, rounds }: BenchOptions,
  results: BenchResults,
): Promise<void> {
  const protocol = await benchProtocolBoundary(node, { concurrency: 32, roundMs, rounds });
  results.protocol = protocol;
  console.log(
    '\nClient line protocol: the built-in client in process vs the same client as a ' +
      'command driven over stdin/stdout (with its frame tap), closed loop, 32 callers',
  );
  console.log(
    formatTable(
      [
        'in process calls/s',
        'as a command calls/s',
        'throughput ratio',
        'in process p50/p99 ms',
        'as a command p50/p99 ms',
        'p50 delta ms',
      ],
      [
        [
          protocol.inProcess.callsPerSec.toFixed(0),
          protocol.throughProtocol.callsPerSec.toFixed(0),
          protocol.throughputRatio.toFixed(3),
          `${protocol.inProcess.p50Ms.toFixed(3)}/${protocol.inProcess.p99Ms.toFixed(2)}`,
          `${protocol.throughProtocol.p50Ms.toFixed(3)}/${protocol.throughProtocol.p99Ms.toFixed(2)}`,
          protocol.p50DeltaMs.toFixed(3),
        ],
      ],
    ),
  );
}

async function lateReplyTimeouts(node: StartedBroker, _options: BenchOptions, results: BenchResults): Promise<void> {
  const late = await benchLateReply(node);
  results.lateReply = late;
  console.log(
    `\nlate-reply timeouts by proxy (same fault; removing the toxic releases held replies: ` +
      `${late.expectedWithRelease} expected, ${late.expectedWithKeptDelay} if the delay were kept)` +
      `${process.env.TOXIPROXY_URL ? '' : '; set TOXIPROXY_URL to compare with a real Toxiproxy'}`,
  );
  console.log(
    formatTable(
      ['proxy', 'calls', 'timed out', 'late replies discarded'],
      late.rows.map((row) => [row.proxy, String(row.sent), String(row.timedOut), String(row.discardedLate)]),
    ),
  );
}

async function startUp(node: StartedBroker, options: BenchOptions, results: BenchResults): Promise<void> {
  const startup = await benchStartup(node, {
    workerSamples: 10,
    sourceSamples: options.quick ? 1 : 3,
    scenarioRuns: options.scenarioRuns,
  });
  results.startup = startup;
  const runs = startup.duplicateReplyRuns;
  const lags = runs.flatMap((run) => run.restartLagsMs);
  console.log(
    '\nStart-up (targets: worker spawn to consuming <= 300 ms p50 of 10; ' +
      'a scheduled restart consuming <= 100 ms after its time; duplicate-reply end to end < 12 s)',
  );
  console.log(
    formatTable(
      ['measure', 'value', 'target', 'ratio to target', 'samples'],
      [
        ...startup.workerStart.map((row) => [
          `worker spawn to consuming, ${row.mode}, p50 (max; CPU p50)`,
          `${row.p50Ms.toFixed(0)} ms (${row.maxMs.toFixed(0)}; ${row.cpuP50Ms?.toFixed(0) ?? '-'})`,
          '300 ms',
          (row.p50Ms / 300).toFixed(2),
          String(row.samplesMs.length),
        ]),
        [
          'scheduled restart, consuming after its time, median (max)',
          lags.length > 0 ? `${median(lags).toFixed(0)} ms (${Math.max(...lags).toFixed(0)})` : 'none',
          '100 ms',
          lags.length > 0 ? (median(lags) / 100).toFixed(2) : '-',
          String(lags.length),
        ],
        [
          'npm run scenario -- duplicate-reply, wall, median',
          `${(median(runs.map((run) => run.wallMs)) / 1000).toFixed(1)} s`,
          '12 s',
          (median(runs.map((run) => run.wallMs)) / 12_000).toFixed(2),
          `${runs.length} (${runs.map((run) => run.verdict).join(', ')})`,
        ],
      ],
    ),
  );
}

async function openLoopGenerator(node: StartedBroker, options: BenchOptions, results: BenchResults): Promise<void> {
  const sweepMs = Math.min(3_000, options.openLoopMs);
  const openLoop = await benchOpenLoop(node, {
    durationMs: options.openLoopMs,
    sweepDurationMs: sweepMs,
    sweepRates: options.quick ? [1_000, 2_000] : [500, 1_000, 2_000, 3_000, 4_000, 6_000, 8_000, 12_000],
  });
  results.openLoop = openLoop;
  const lateness = (sample: typeof openLoop.atTarget) =>
    sample.startLateness
      ? `${sample.startLateness.p50.toFixed(2)}/` +
        `${sample.startLateness.p99.toFixed(2)}/${sample.startLateness.max.toFixed(1)}`
      : '-';
  const rateLabel = (i: number) =>
    i === 0 ? 'target ' : i === 1 && !('notMeasured' in openLoop.atTargetRealtime) ? 'target, realtime client ' : '';
  console.log(
    `\nOpen-loop generator, one client process (target at 2,000/s for ${options.openLoopMs / 1000} s: ` +
      `achieved within 1 %, start lateness p99 < 2 ms, every due call started or dropped; ` +
      `then ${sweepMs / 1000} s at rising rates until one is not delivered)`,
  );
  console.log(
    formatTable(
      [
        'rate',
        'achieved/s',
        'achieved/target',
        'late p50/p99/max ms',
        'due (expected)',
        'started',
        'dropped',
        'unaccounted',
        'answered',
      ],
      [
        openLoop.atTarget,
        ...('notMeasured' in openLoop.atTargetRealtime ? [] : [openLoop.atTargetRealtime]),
        ...openLoop.sweep,
      ].map((sample, i) => [
        `${rateLabel(i)}${sample.targetPerSec}/s`,
        sample.achievedPerSec.toFixed(0),
        sample.rateRatio.toFixed(3),
        lateness(sample),
        `${sample.due} (${sample.expectedDue})`,
        String(sample.started),
        String(sample.dropped),
        String(sample.unaccounted),
        String(sample.answered),
      ]),
    ),
  );
  if ('notMeasured' in openLoop.atTargetRealtime)
    console.log(`target with the client under SCHED_FIFO: not measured: ${openLoop.atTargetRealtime.notMeasured}`);
  const highest =
    openLoop.highestDeliveredPerSec === undefined ? 'none of the rates tried' : `${openLoop.highestDeliveredPerSec}/s`;
  console.log(`highest rate one client process delivered (within 1 %, nothing dropped, all answered): ${highest}`);
}

async function memoryGrowth(node: StartedBroker, options: BenchOptions, results: BenchResults): Promise<void> {
  const { memoryMs } = options;
  // Warm-up: the first fifth of the run (60 s of 5 minutes), in which V8's young generation
  // grows to its working size and the broker's queues fill; growth is measured after it.
  const warmUpMs = memoryMs / 5;
  const memory = await benchMemory(node, {
    durationMs: memoryMs,
    warmUpMs,
    windowMs: memoryMs / 10,
    sampleEveryMs: options.rssSampleEveryMs,
  });
  results.memory = memory;
  console.log(
    `\nRSS over a ${(memoryMs / 60_000).toFixed(1)}-minute baseline run ` +
      `(${memory.calls} calls, ${memory.callsPerSec.toFixed(0)}/s): ` +
      `median of the first ${memoryMs / 10_000} s after a ${warmUpMs / 1_000} s warm-up ` +
      `against the last ${memoryMs / 10_000} s (target: |growth| <= ${RSS_GROWTH_TARGET * 100} % per process; ` +
      `RSS sampled every ${options.rssSampleEveryMs} ms)`,
  );
  console.log(
    formatTable(
      ['process', 'RSS after warm-up MB', 'RSS at end MB', 'growth', 'slope MB/min', 'samples'],
      memory.processes.map((row) => [
        row.process,
        row.warmRssMb.toFixed(0),
        row.endRssMb.toFixed(0),
        `${(row.growth * 100).toFixed(1)} %`,
        row.slopeMbPerMin.toFixed(2),
        String(row.samples),
      ]),
    ),
  );
}

export const BROKER_SECTIONS: readonly BrokerSection[] = [
  { name: 'server', run: serverAlone },
  { name: 'rpc', run: rpcAgainstRawLoop },
  { name: 'tracing', run: tracingOverhead },
  { name: 'proxy', run: builtinProxy },
  { name: 'tap', run: frameTap },
  { name: 'protocol', run: lineProtocol },
  { name: 'late-reply', run: lateReplyTimeouts },
  { name: 'startup', run: startUp },
  { name: 'open-loop', run: openLoopGenerator },
  { name: 'memory', run: memoryGrowth },
];
