/**
 * `npm run bench`: the speed and overhead targets, measured in one run on one broker so
 * ratios compare like with like on a noisy machine. Prints tables and writes JSON
 * (reports/bench-<time>.json, or --out).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { PrivateRabbitNode } from '../env/broker/private-rabbit-node.ts';
import { makeDirectory } from '../env/output-paths.ts';
import { benchRpc } from './rpc-bench.ts';
import { benchTracing } from './tracing-bench.ts';
import { benchProxy } from './proxy-bench.ts';
import { benchTap } from './tap-bench.ts';
import { benchTcpProxy } from './tcp-proxy-bench.ts';
import { benchProtocolBoundary } from './protocol-bench.ts';
import { benchMemory } from './memory-bench.ts';
import { benchLateReply } from './late-reply-bench.ts';
import { benchReport } from '../report/bench-report.ts';
import { benchObserve } from '../observe/bench-observe.ts';
import { formatTable } from './format-table.ts';

const program = new Command('bench')
  .description('RPC, proxy, tracing and report benchmarks')
  .option('--out <file>', 'JSON output file')
  .option('--quick', 'shorter rounds (smoke run)', false)
  .parse();
const options = program.opts<{ out?: string; quick: boolean }>();
const roundMs = options.quick ? 1_000 : 3_000;
const rounds = options.quick ? 1 : 3;

const results: Record<string, unknown> = { startedAt: new Date().toISOString(), node: process.version, quick: options.quick };
const node = await new PrivateRabbitNode().start();
try {
  results.broker = node.getVersion();
  const rpc = await benchRpc(node, { concurrency: 32, roundMs, rounds, n: 20, prefetch: 32 });
  results.rpc = rpc;
  console.log('\nRPC: FibRpcClient/FibRpcServer vs a raw amqplib request/reply loop (closed loop, 32 callers, fib(20); target ratio >= 0.95)');
  console.log(formatTable(
    ['reply mode', 'raw calls/s', 'raw+nodelay calls/s', 'ours calls/s', 'ratio', 'ratio vs nodelay', 'raw p50/p99 ms', 'raw+nodelay p50/p99 ms', 'ours p50/p99 ms'],
    rpc.map((row) => [
      row.replyMode, row.raw.callsPerSec.toFixed(0), row.rawNoDelay.callsPerSec.toFixed(0), row.ours.callsPerSec.toFixed(0),
      row.throughputRatio.toFixed(3), row.throughputRatioNoDelay.toFixed(3),
      `${row.raw.p50Ms.toFixed(2)}/${row.raw.p99Ms.toFixed(2)}`, `${row.rawNoDelay.p50Ms.toFixed(2)}/${row.rawNoDelay.p99Ms.toFixed(2)}`, `${row.ours.p50Ms.toFixed(2)}/${row.ours.p99Ms.toFixed(2)}`,
    ]),
  ));

  const tracing = await benchTracing(node, { roundMs, rounds });
  results.tracing = tracing;
  console.log('\nTracing overhead (in-process server + client, closed loop, 32 callers; target: <= 5 % throughput loss at 1 %)');
  console.log(formatTable(
    ['tracing', 'calls/s', 'p50 ms', 'p99 ms', 'throughput loss'],
    tracing.map((row) => [row.mode, row.sample.callsPerSec.toFixed(0), row.sample.p50Ms.toFixed(2), row.sample.p99Ms.toFixed(2), `${(row.throughputLoss * 100).toFixed(1)} %`]),
  ));

  const proxy = await benchProxy(node, { roundMs, rounds });
  results.proxy = proxy;
  console.log('\nBuilt-in proxy: RPC with client and server behind the proxy vs direct (targets: p50 through the proxy <= 1.1x direct, throughput >= 0.9x)');
  console.log(formatTable(
    ['load', 'direct calls/s', 'proxied calls/s', 'throughput ratio', 'direct p50/p99 ms', 'proxied p50/p99 ms', 'p50 ratio'],
    proxy.map((row) => [row.load, row.direct.callsPerSec.toFixed(0), row.proxied.callsPerSec.toFixed(0), row.throughputRatio.toFixed(3), `${row.direct.p50Ms.toFixed(3)}/${row.direct.p99Ms.toFixed(2)}`, `${row.proxied.p50Ms.toFixed(3)}/${row.proxied.p99Ms.toFixed(2)}`, row.p50Ratio.toFixed(3)]),
  ));

  const tcp = await benchTcpProxy({ rounds: options.quick ? 1 : 5, roundTrips: options.quick ? 1_000 : 5_000, bulkBytes: options.quick ? 32e6 : 256e6, toxiproxyUrl: process.env.TOXIPROXY_URL });
  results.proxyTcp = tcp;
  const tcpRow = (name: string, sample: typeof tcp.direct) => [name, sample.p50Ms.toFixed(3), sample.p99Ms.toFixed(3), sample.megabytesPerSec.toFixed(0), (sample.p50Ms / tcp.direct.p50Ms).toFixed(2), (sample.megabytesPerSec / tcp.direct.megabytesPerSec).toFixed(3)];
  console.log(`\nProxy on raw TCP: ping-pong of 64 B (${tcp.roundTrips} round trips) and bulk (${tcp.bulkBytes / 1e6} MB one way), built-in proxy on its own thread (target vs direct: bulk >= 0.9x; vs a real Toxiproxy: p99 and bulk at least as good)`);
  console.log(formatTable(
    ['path', 'ping-pong p50 ms', 'p99 ms', 'bulk MB/s', 'p50 vs direct', 'bulk vs direct'],
    [tcpRow('direct', tcp.direct), tcpRow('built-in proxy', tcp.builtin), ...(tcp.toxiproxy ? [tcpRow(`Toxiproxy ${tcp.toxiproxyVersion}`, tcp.toxiproxy)] : [])],
  ));
  console.log(tcp.toxiproxy
    ? `built-in vs real Toxiproxy: p99 ${(tcp.builtin.p99Ms / tcp.toxiproxy.p99Ms).toFixed(2)}x (target <= 1), bulk ${(tcp.builtin.megabytesPerSec / tcp.toxiproxy.megabytesPerSec).toFixed(2)}x (target >= 1)`
    : 'built-in vs real Toxiproxy: not measured: no real Toxiproxy reachable (set TOXIPROXY_URL)');

  const tap = await benchTap(node, { roundMs, rounds });
  results.tap = tap;
  console.log('\nAMQP frame tap: RPC with a tap in front of the proxy on client and server vs the proxy alone; "in memory" hands bytes to the built-in proxy, "over TCP" is the hop used in front of a real Toxiproxy (targets: throughput >= 0.95x, p50 +<= 0.05 ms; per-round pairs, medians)');
  console.log(formatTable(
    ['load', 'no tap calls/s', 'tap calls/s', 'throughput ratio', 'no tap p50/p99 ms', 'tap p50/p99 ms', 'p50 delta ms', 'over TCP: ratio / p50 delta ms', 'proxy host CPU µs/call no tap/tap/over TCP'],
    tap.map((row) => [row.load, row.withoutTap.callsPerSec.toFixed(0), row.withTap.callsPerSec.toFixed(0), row.throughputRatio.toFixed(3), `${row.withoutTap.p50Ms.toFixed(3)}/${row.withoutTap.p99Ms.toFixed(2)}`, `${row.withTap.p50Ms.toFixed(3)}/${row.withTap.p99Ms.toFixed(2)}`, row.p50DeltaMs.toFixed(3), `${row.overTcp.throughputRatio.toFixed(3)} / ${row.overTcp.p50DeltaMs.toFixed(3)}`, `${row.hostCpuUsPerCall.withoutTap.toFixed(0)}/${row.hostCpuUsPerCall.withTap.toFixed(0)}/${row.hostCpuUsPerCall.overTcp.toFixed(0)}`]),
  ));

  const protocol = await benchProtocolBoundary(node, { concurrency: 32, roundMs, rounds });
  results.protocol = protocol;
  console.log('\nClient line protocol: the built-in client in process vs the same client as a command driven over stdin/stdout (with its frame tap), closed loop, 32 callers');
  console.log(formatTable(
    ['in process calls/s', 'as a command calls/s', 'throughput ratio', 'in process p50/p99 ms', 'as a command p50/p99 ms', 'p50 delta ms'],
    [[protocol.inProcess.callsPerSec.toFixed(0), protocol.throughProtocol.callsPerSec.toFixed(0), protocol.throughputRatio.toFixed(3), `${protocol.inProcess.p50Ms.toFixed(3)}/${protocol.inProcess.p99Ms.toFixed(2)}`, `${protocol.throughProtocol.p50Ms.toFixed(3)}/${protocol.throughProtocol.p99Ms.toFixed(2)}`, protocol.p50DeltaMs.toFixed(3)]],
  ));

  const late = await benchLateReply(node);
  results.lateReply = late;
  console.log(`\nlate-reply timeouts by proxy (same fault; removing the toxic releases held replies: ${late.expectedWithRelease} expected, ${late.expectedWithKeptDelay} if the delay were kept)${process.env.TOXIPROXY_URL ? '' : '; set TOXIPROXY_URL to compare with a real Toxiproxy'}`);
  console.log(formatTable(['proxy', 'calls', 'timed out', 'late replies discarded'], late.rows.map((row) => [row.proxy, String(row.sent), String(row.timedOut), String(row.discardedLate)])));

  const memoryMs = options.quick ? 60_000 : 300_000;
  const memory = await benchMemory(node, { durationMs: memoryMs, warmUpMs: memoryMs / 5, windowMs: memoryMs / 10, sampleEveryMs: 2_000 });
  results.memory = memory;
  console.log(`\nRSS over a ${memoryMs / 60_000}-minute baseline run (${memory.calls} calls, ${memory.callsPerSec.toFixed(0)}/s; target: growth after the first ${memoryMs / 5_000} s <= 10 %)`);
  console.log(formatTable(
    ['process', 'RSS after warm-up MB', 'RSS at end MB', 'growth', 'slope MB/min', 'flat'],
    memory.processes.map((row) => [row.process, row.warmRssMb.toFixed(0), row.endRssMb.toFixed(0), `${(row.growth * 100).toFixed(1)} %`, row.slopeMbPerMin.toFixed(2), Math.abs(row.growth) <= 0.1 ? 'yes' : 'NO']),
  ));
} finally {
  await node.stop();
}

const observe = await benchObserve();
results.observe = observe;
console.log('\nHDR recording (hdr-histogram-js, pure JS)');
console.log(formatTable(['measure', 'value'], Object.entries(observe).map(([key, value]) => [key, value.toFixed(key.endsWith('.ns') || key.endsWith('.bytes') ? 0 : 2)])));

const report = await benchReport();
results.report = report;
console.log('\nreport.html of a 10-minute run at 500 calls/s (targets: < 2 MB, opens in < 2 s in headless Chromium)');
console.log(formatTable(
  ['size', 'open until charts drawn (median / max)', 'generate (Node)', 'series points', 'timeline events'],
  [[`${((report.htmlBytes ?? 0) / 1024).toFixed(0)} KiB`, `${report.openMs} / ${report.openMsMax} ms`, `${report.generateMs} ms`, String(report.seriesPoints), String(report.timelineEvents)]],
));

const out = options.out ?? join('reports', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
makeDirectory(dirname(out));
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten: ${out}`);
