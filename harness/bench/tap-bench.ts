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
  readonly withTap: ThroughputSample;
  /** tapped / untapped calls per second: target >= 0.95. */
  readonly throughputRatio: number;
  /** Median p50 over the tapped rounds minus the same untapped, in ms: target <= 0.05. */
  readonly p50DeltaMs: number;
  /**
   * CPU time of the process hosting proxy and taps per call, median over rounds (µs): the
   * tap's own cost, far less sensitive to a busy machine than throughput and latency.
   */
  readonly hostCpuUsPerCall: { readonly withoutTap: number; readonly withTap: number };
}

interface HostPorts {
  readonly proxies: { servers: number; clients: number };
  readonly taps: { servers: number; clients: number };
}

/**
 * The frame tap's cost. As in a scenario run, the built-in proxy and the taps live in another
 * process than the implementations (here: `tap-bench-host.ts`), and server and client connect
 * either to the proxy directly or to a tap in front of it. Same broker, same host process,
 * rounds interleaved, medians compared; one caller for latency, 32 for throughput.
 */
export async function benchTap(broker: StartedBroker, options: { roundMs: number; rounds: number }): Promise<TapBenchRow[]> {
  const program = programCommand('tap-bench-host');
  const host = spawn(process.execPath, [...program.execArgv, program.file, broker.getHost(), String(broker.getAmqpPort())], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...program.env } });
  const exited = new Promise<void>((resolve) => host.once('exit', () => resolve()));
  const lines = createInterface({ input: host.stdout! })[Symbol.asyncIterator]();
  const nextLine = async (what: string): Promise<string> => {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`tap bench host: no ${what} within 60 s`)), 60_000).unref());
    const line = await Promise.race([lines.next(), timeout]);
    if (line.done) throw new Error(`tap bench host exited before printing its ${what}`);
    return line.value;
  };
  try {
    const ports = JSON.parse(await nextLine('ports')) as HostPorts;
    const urlFor = (port: number) => {
      const url = new URL(broker.getAmqpUrl());
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    };
    const direct = { server: urlFor(ports.proxies.servers), client: urlFor(ports.proxies.clients) };
    const tapped = { server: urlFor(ports.taps.servers), client: urlFor(ports.taps.clients) };
    const rows: TapBenchRow[] = [];
    // One short untimed round each first, so neither side pays for warm-up (JIT, queues).
    await measureRpcThrough(direct, 32, Math.min(options.roundMs, 1_000), 'bench_tap_warmup_off');
    await measureRpcThrough(tapped, 32, Math.min(options.roundMs, 1_000), 'bench_tap_warmup_on');
    const hostCpuUs = async () => {
      host.stdin!.write('cpu\n');
      return (JSON.parse(await nextLine('cpu time')) as { cpuUs: number }).cpuUs;
    };
    /** One round, with the host's CPU time per call. */
    const round = async (urls: { server: string; client: string }, concurrency: number, queue: string) => {
      const before = await hostCpuUs();
      const sample = await measureRpcThrough(urls, concurrency, options.roundMs, queue);
      return { sample, cpuUsPerCall: ((await hostCpuUs()) - before) / Math.max(1, sample.calls) };
    };
    for (const concurrency of [1, 32]) {
      const samples = { withoutTap: [] as ThroughputSample[], withTap: [] as ThroughputSample[] };
      const cpu = { withoutTap: [] as number[], withTap: [] as number[] };
      for (let index = 0; index < options.rounds; index++) {
        const off = await round(direct, concurrency, `bench_tap_off_${concurrency}_${index}`);
        const on = await round(tapped, concurrency, `bench_tap_on_${concurrency}_${index}`);
        samples.withoutTap.push(off.sample);
        samples.withTap.push(on.sample);
        cpu.withoutTap.push(off.cpuUsPerCall);
        cpu.withTap.push(on.cpuUsPerCall);
      }
      const off = medianSample(samples.withoutTap);
      const on = medianSample(samples.withTap);
      rows.push({
        load: `closed loop, ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
        withoutTap: off,
        withTap: on,
        throughputRatio: on.callsPerSec / off.callsPerSec,
        p50DeltaMs: medianP50(samples.withTap) - medianP50(samples.withoutTap),
        hostCpuUsPerCall: { withoutTap: median(cpu.withoutTap), withTap: median(cpu.withTap) },
      });
    }
    host.stdin!.end();
    const counters = JSON.parse(await nextLine('counters')) as { server: TapCounters; client: TapCounters };
    const calls = rows.reduce((sum, row) => sum + row.withTap.calls, 0);
    if (counters.server.deliveries < calls || counters.client.deliveries < calls || counters.server.undecodedConnections + counters.client.undecodedConnections > 0) {
      throw new Error(`the taps did not decode the benchmark's traffic: ${calls} calls measured, counters ${JSON.stringify(counters)}`);
    }
    return rows;
  } finally {
    host.stdin!.end();
    const timer = setTimeout(() => host.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function medianP50(samples: readonly ThroughputSample[]): number {
  return median(samples.map((s) => s.p50Ms));
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
