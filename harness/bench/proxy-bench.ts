import { Toxiproxy } from 'toxiproxy-node-client';
import type { StartedBroker } from '../env/broker/broker.ts';
import { BuiltinToxiproxy } from '../env/proxy/builtin-toxiproxy.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop, medianSample, type ThroughputSample } from './measure-closed-loop.ts';

export interface ProxyBenchRow {
  readonly load: string;
  readonly direct: ThroughputSample;
  readonly proxied: ThroughputSample;
  /** proxied p50 / direct p50: target <= 1.1. */
  readonly p50Ratio: number;
  readonly throughputRatio: number;
}

/**
 * RPC through the built-in proxy (client and server each behind it, as in scenarios) against
 * direct connections, same broker, rounds interleaved: one caller for latency, 32 for throughput.
 */
export async function benchProxy(broker: StartedBroker, options: { roundMs: number; rounds: number }): Promise<ProxyBenchRow[]> {
  const proxyServer = await new BuiltinToxiproxy({ port: 0 }).start();
  try {
    const toxiproxy = new Toxiproxy(proxyServer.getApiUrl());
    const upstream = `${broker.getHost()}:${broker.getAmqpPort()}`;
    const proxyFor = async (name: string) => {
      const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream });
      const url = new URL(broker.getAmqpUrl());
      url.port = proxy.listen.split(':')[1]!;
      return url.toString();
    };
    const viaProxy = { server: await proxyFor('bench-servers'), client: await proxyFor('bench-clients') };
    const direct = { server: broker.getAmqpUrl(), client: broker.getAmqpUrl() };
    const rows: ProxyBenchRow[] = [];
    for (const concurrency of [1, 32]) {
      const samples = { direct: [] as ThroughputSample[], proxied: [] as ThroughputSample[] };
      for (let round = 0; round < options.rounds; round++) {
        samples.direct.push(await measureRpcThrough(direct, concurrency, options.roundMs, `bench_proxy_d_${concurrency}_${round}`));
        samples.proxied.push(await measureRpcThrough(viaProxy, concurrency, options.roundMs, `bench_proxy_p_${concurrency}_${round}`));
      }
      const d = medianSample(samples.direct);
      const p = medianSample(samples.proxied);
      rows.push({ load: `closed loop, ${concurrency} caller${concurrency > 1 ? 's' : ''}`, direct: d, proxied: p, p50Ratio: p.p50Ms / d.p50Ms, throughputRatio: p.callsPerSec / d.callsPerSec });
    }
    return rows;
  } finally {
    await proxyServer.stop();
  }
}

/** One closed-loop round of the built-in client and server, each connecting through its own URL. */
export async function measureRpcThrough(urls: { server: string; client: string }, concurrency: number, roundMs: number, queue: string): Promise<ThroughputSample> {
  const server = await new FibRpcServer({ amqpUrl: urls.server, queue, prefetch: 32 }).start();
  const client = await new FibRpcClient({ amqpUrl: urls.client, queue, maxInFlight: 64 }).start();
  try {
    return await measureClosedLoop((n) => client.call(n), { concurrency, durationMs: roundMs, n: 20 });
  } finally {
    await client.close();
    await server.stop();
  }
}
