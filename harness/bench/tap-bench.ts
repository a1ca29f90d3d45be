import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { programCommand } from '../build/programs.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { TapCounters } from '../tap/tap-events.ts';
import { medianSample, type ThroughputSample } from './measure-closed-loop.ts';
import { measureRpcThrough } from './proxy-bench.ts';

export interface TapBenchRow {
  readonly load: string;
  readonly withoutTap: ThroughputSample;
  /** The tap handing bytes to the built-in proxy in memory (the default with the built-in proxy). */
  readonly withTap: ThroughputSample;
  /**
   * tapped / untapped calls per second, the median of each round's ratio to the untapped round beside it: target
   * >= 0.95.
   */
  readonly throughputRatio: number;
  /** Median over rounds of (tapped p50 - untapped p50 of the same round), in ms: target <= 0.05. */
  readonly p50DeltaMs: number;
  /** The tap reaching the proxy over a second TCP hop, as in front of a real Toxiproxy. */
  readonly overTcp: {
    readonly sample: ThroughputSample;
    readonly throughputRatio: number;
    readonly p50DeltaMs: number;
  };
  /**
   * CPU time of the process hosting proxy and taps per call, median over rounds (µs): the
   * tap's own cost, far less sensitive to a busy machine than throughput and latency.
   */
  readonly hostCpuUsPerCall: { readonly withoutTap: number; readonly withTap: number; readonly overTcp: number };
}

interface HostPorts {
  readonly proxies: { servers: number; clients: number };
  readonly taps: { servers: number; clients: number };
  readonly tcpTaps: { servers: number; clients: number };
}

/**
 * The frame tap's cost. As in a scenario run, the built-in proxy and the taps live in another
 * process than the implementations (here: `tap-bench-host.ts`), and server and client connect
 * to the proxy directly, to a tap that hands bytes to the proxy in memory (the default with the
 * built-in proxy), or to a tap that reaches it over TCP (as in front of a real Toxiproxy). Same
 * broker, same host process, rounds interleaved in a turning order; ratios and deltas are taken
 * per round against the untapped round beside it, then the median; one caller for latency, 32
 * for throughput.
 */
export async function benchTap(
  broker: StartedBroker,
  options: { roundMs: number; rounds: number },
): Promise<TapBenchRow[]> {
  const { host, exited, nextLine } = startHost(broker);
  try {
    const ports = JSON.parse(await nextLine('ports')) as HostPorts;
    const modes = modeUrls(broker, ports);
    const rows: TapBenchRow[] = [];
    // One short untimed round each first, so neither side pays for warm-up (JIT, queues).
    await measureRpcThrough(modes.withoutTap, 32, Math.min(options.roundMs, 1_000), 'bench_tap_warmup_off');
    await measureRpcThrough(modes.withTap, 32, Math.min(options.roundMs, 1_000), 'bench_tap_warmup_on');
    await measureRpcThrough(modes.overTcp, 32, Math.min(options.roundMs, 1_000), 'bench_tap_warmup_tcp');
    const hostCpuUs = async () => {
      host.stdin!.write('cpu\n');
      return (JSON.parse(await nextLine('cpu time')) as { cpuUs: number }).cpuUs;
    };
    /** One round, with the host's CPU time per call. */
    const round: Round = async (urls, concurrency, queue) => {
      const before = await hostCpuUs();
      const sample = await measureRpcThrough(urls, concurrency, options.roundMs, queue);
      return { sample, cpuUsPerCall: ((await hostCpuUs()) - before) / Math.max(1, sample.calls) };
    };
    for (const concurrency of [1, 32]) rows.push(await benchLoad(modes, concurrency, options.rounds, round));
    host.stdin!.end();
    const counters = JSON.parse(await nextLine('counters')) as Record<
      'server' | 'client' | 'tcpServer' | 'tcpClient',
      TapCounters
    >;
    checkTapsDecoded(counters, rows);
    return rows;
  } finally {
    host.stdin!.end();
    const timer = setTimeout(() => host.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

type Urls = { server: string; client: string };
type Mode = 'withoutTap' | 'withTap' | 'overTcp';
type Round = (
  urls: Urls,
  concurrency: number,
  queue: string,
) => Promise<{ sample: ThroughputSample; cpuUsPerCall: number }>;

/** Spawns the process hosting proxy and taps; `nextLine` reads its next stdout line, failing after 60 s. */
function startHost(broker: StartedBroker) {
  const program = programCommand('tap-bench-host');
  const host = spawn(
    process.execPath,
    [...program.execArgv, program.file, broker.getHost(), String(broker.getAmqpPort())],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...program.env } },
  );
  const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()));
  const lines = createInterface({ input: host.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (what: string): Promise<string> => {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`tap bench host: no ${what} within 60 s`)), 60_000).unref(),
    );
    const line = await Promise.race([lines.next(), timeout]);
    if (line.done) throw new Error(`tap bench host exited before printing its ${what}`);
    return line.value;
  };
  return { host, exited, nextLine };
}

/** The broker URLs server and client use in each mode: the proxy directly, the in-memory tap, the TCP tap. */
function modeUrls(broker: StartedBroker, ports: HostPorts): Record<Mode, Urls> {
  const urlFor = (port: number) => {
    const url = new URL(broker.getAmqpUrl());
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString();
  };
  return {
    withoutTap: { server: urlFor(ports.proxies.servers), client: urlFor(ports.proxies.clients) },
    withTap: { server: urlFor(ports.taps.servers), client: urlFor(ports.taps.clients) },
    overTcp: { server: urlFor(ports.tcpTaps.servers), client: urlFor(ports.tcpTaps.clients) },
  };
}

/** All rounds of one load, the modes in a turning order, reduced to one row. */
async function benchLoad(
  modes: Record<Mode, Urls>,
  concurrency: number,
  rounds: number,
  round: Round,
): Promise<TapBenchRow> {
  const samples = {
    withoutTap: [] as ThroughputSample[],
    withTap: [] as ThroughputSample[],
    overTcp: [] as ThroughputSample[],
  };
  const cpu = { withoutTap: [] as number[], withTap: [] as number[], overTcp: [] as number[] };
  for (let index = 0; index < rounds; index++) {
    // The order turns every round, so no mode always runs first (or last) in a changing load.
    const order = (['withoutTap', 'withTap', 'overTcp'] as const).map((_, i, all) => all[(i + index) % all.length]!);
    for (const mode of order) {
      const result = await round(modes[mode], concurrency, `bench_tap_${mode}_${concurrency}_${index}`);
      samples[mode].push(result.sample);
      cpu[mode].push(result.cpuUsPerCall);
    }
  }
  const compare = (mode: 'withTap' | 'overTcp') => ({
    throughputRatio: median(samples[mode].map((s, i) => s.callsPerSec / samples.withoutTap[i]!.callsPerSec)),
    p50DeltaMs: median(samples[mode].map((s, i) => s.p50Ms - samples.withoutTap[i]!.p50Ms)),
  });
  return {
    load: `closed loop, ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
    withoutTap: medianSample(samples.withoutTap),
    withTap: medianSample(samples.withTap),
    ...compare('withTap'),
    overTcp: { sample: medianSample(samples.overTcp), ...compare('overTcp') },
    hostCpuUsPerCall: {
      withoutTap: median(cpu.withoutTap),
      withTap: median(cpu.withTap),
      overTcp: median(cpu.overTcp),
    },
  };
}

/** Throws unless the taps decoded every measured call (each tapped call is at least one delivery per side). */
function checkTapsDecoded(
  counters: Record<'server' | 'client' | 'tcpServer' | 'tcpClient', TapCounters>,
  rows: readonly TapBenchRow[],
): void {
  const calls = rows.reduce((sum, row) => sum + row.withTap.calls, 0);
  const tcpCalls = rows.reduce((sum, row) => sum + row.overTcp.sample.calls, 0);
  const undecoded = Object.values(counters).reduce((sum, c) => sum + c.undecodedConnections, 0);
  if (
    counters.server.deliveries < calls ||
    counters.client.deliveries < calls ||
    counters.tcpServer.deliveries < tcpCalls ||
    counters.tcpClient.deliveries < tcpCalls ||
    undecoded > 0
  ) {
    throw new Error(
      `the taps did not decode the benchmark's traffic: ` +
        `${calls} + ${tcpCalls} calls measured, counters ${JSON.stringify(counters)}`,
    );
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
