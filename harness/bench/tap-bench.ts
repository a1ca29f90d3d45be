import { Toxiproxy } from 'toxiproxy-node-client';
import type { StartedBroker } from '../env/broker/broker.ts';
import { BuiltinToxiproxy } from '../env/proxy/builtin-toxiproxy.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { AmqpFrameTap } from '../tap/amqp-frame-tap.ts';
import { measureClosedLoop, medianSample, type ThroughputSample } from './measure-closed-loop.ts';

export interface TapBenchRow {
  readonly load: string;
  readonly withoutTap: ThroughputSample;
  readonly withTap: ThroughputSample;
  /** tapped / untapped calls per second: target >= 0.95. */
  readonly throughputRatio: number;
  /** Median p50 over the tapped rounds minus the same untapped, in ms: target <= 0.05. */
  readonly p50DeltaMs: number;
}

/**
 * The frame tap's cost: RPC with client and server behind the built-in proxy, once with a
 * frame tap in front of each of them (the scenario layout) and once without, same broker,
 * rounds interleaved and medians compared; one caller for latency, 32 for throughput.
 */
export async function benchTap(broker: StartedBroker, options: { roundMs: number; rounds: number }): Promise<TapBenchRow[]> {
  const proxyServer = await new BuiltinToxiproxy({ port: 0 }).start();
  try {
    const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
    const proxyFor = async (name: string) => {
      const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: `${broker.getHost()}:${broker.getAmqpPort()}` });
      return { host: '127.0.0.1', port: Number(proxy.listen.split(':').at(-1)) };
    };
    const servers = await proxyFor('bench-tap-servers');
    const clients = await proxyFor('bench-tap-clients');
    const viaProxy = (address: { host: string; port: number }) => {
      const url = new URL(broker.getAmqpUrl());
      url.hostname = address.host;
      url.port = String(address.port);
      return url.toString();
    };
    const rows: TapBenchRow[] = [];
    for (const concurrency of [1, 32]) {
      const samples = { withoutTap: [] as ThroughputSample[], withTap: [] as ThroughputSample[] };
      for (let round = 0; round < options.rounds; round++) {
        samples.withoutTap.push(await measure({ server: viaProxy(servers), client: viaProxy(clients) }, concurrency, options.roundMs, `bench_tap_off_${concurrency}_${round}`));
        const serverTap = await new AmqpFrameTap({ upstream: servers, name: 'bench-server' }).start();
        const clientTap = await new AmqpFrameTap({ upstream: clients, name: 'bench-client' }).start();
        try {
          const urls = { server: serverTap.getAmqpUrl(broker.getAmqpUrl()), client: clientTap.getAmqpUrl(broker.getAmqpUrl()) };
          samples.withTap.push(await measure(urls, concurrency, options.roundMs, `bench_tap_on_${concurrency}_${round}`));
          if (serverTap.counters.deliveries === 0 || serverTap.counters.undecodedConnections > 0) {
            throw new Error(`the tap did not decode the benchmark's traffic (${JSON.stringify(serverTap.counters)})`);
          }
        } finally {
          await clientTap.stop();
          await serverTap.stop();
        }
      }
      const off = medianSample(samples.withoutTap);
      const on = medianSample(samples.withTap);
      rows.push({
        load: `closed loop, ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
        withoutTap: off,
        withTap: on,
        throughputRatio: on.callsPerSec / off.callsPerSec,
        p50DeltaMs: medianP50(samples.withTap) - medianP50(samples.withoutTap),
      });
    }
    return rows;
  } finally {
    await proxyServer.stop();
  }
}

function medianP50(samples: readonly ThroughputSample[]): number {
  const sorted = samples.map((s) => s.p50Ms).sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function measure(urls: { server: string; client: string }, concurrency: number, roundMs: number, queue: string): Promise<ThroughputSample> {
  const server = await new FibRpcServer({ amqpUrl: urls.server, queue, prefetch: 32 }).start();
  const client = await new FibRpcClient({ amqpUrl: urls.client, queue, maxInFlight: 64 }).start();
  try {
    return await measureClosedLoop((n) => client.call(n), { concurrency, durationMs: roundMs, n: 20 });
  } finally {
    await client.close();
    await server.stop();
  }
}
