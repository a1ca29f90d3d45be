import { Toxiproxy } from 'toxiproxy-node-client';
import type { StartedBroker } from '../env/broker/broker.ts';
import { BuiltinToxiproxy } from '../env/proxy/builtin-toxiproxy.ts';
import { ToxiproxyThread } from '../env/proxy/toxiproxy-thread.ts';
import { FibRpcClient } from '../rpc/fib-rpc-client.ts';
import { FibRpcServer } from '../rpc/fib-rpc-server.ts';
import { measureClosedLoop, medianSample, type ThroughputSample } from './measure-closed-loop.ts';

export interface ProxyBenchRow {
  readonly load: string;
  /** Where the proxy forwards: on the event loop that also runs client and server, or on a thread of its own. */
  readonly placement: 'same thread' | 'own thread';
  readonly direct: ThroughputSample;
  readonly proxied: ThroughputSample;
  /** proxied p50 / direct p50: target <= 1.1. */
  readonly p50Ratio: number;
  readonly throughputRatio: number;
}

/**
 * RPC through the built-in proxy (client and server each behind it, as in scenarios) against
 * direct connections, same broker, rounds interleaved: one caller for latency, 32 for throughput.
 * The proxy forwards once on this thread, which also runs client and server (as in a scenario
 * the runner's loop also hosts the frame tap), and once on a thread of its own (as a separate
 * Toxiproxy process would).
 */
export async function benchProxy(
  broker: StartedBroker,
  options: { roundMs: number; rounds: number },
): Promise<ProxyBenchRow[]> {
  const sameThread = await new BuiltinToxiproxy({ port: 0 }).start();
  const ownThread = await new ToxiproxyThread({ port: 0 }).start();
  try {
    const upstream = `${broker.getHost()}:${broker.getAmqpPort()}`;
    const proxyFor = async (apiUrl: string, name: string) => {
      const proxy = await new Toxiproxy(apiUrl).createProxy({ name, listen: '127.0.0.1:0', upstream });
      const url = new URL(broker.getAmqpUrl());
      url.port = proxy.listen.split(':')[1]!;
      return url.toString();
    };
    const paths = {
      direct: { server: broker.getAmqpUrl(), client: broker.getAmqpUrl() },
      'same thread': {
        server: await proxyFor(sameThread.getApiUrl(), 'bench-servers'),
        client: await proxyFor(sameThread.getApiUrl(), 'bench-clients'),
      },
      'own thread': {
        server: await proxyFor(ownThread.getApiUrl(), 'bench-servers'),
        client: await proxyFor(ownThread.getApiUrl(), 'bench-clients'),
      },
    };
    const rows: ProxyBenchRow[] = [];
    for (const concurrency of [1, 32]) {
      const samples = new Map<keyof typeof paths, ThroughputSample[]>();
      for (let round = 0; round < options.rounds; round++) {
        for (const [name, urls] of Object.entries(paths) as Array<[keyof typeof paths, (typeof paths)['direct']]>) {
          const tag = name === 'direct' ? 'd' : name === 'same thread' ? 's' : 't';
          samples.set(name, [
            ...(samples.get(name) ?? []),
            await measureRpcThrough(urls, concurrency, options.roundMs, `bench_proxy_${tag}_${concurrency}_${round}`),
          ]);
        }
      }
      const d = medianSample(samples.get('direct')!);
      for (const placement of ['same thread', 'own thread'] as const) {
        const p = medianSample(samples.get(placement)!);
        rows.push({
          load: `closed loop, ${concurrency} caller${concurrency > 1 ? 's' : ''}`,
          placement,
          direct: d,
          proxied: p,
          p50Ratio: p.p50Ms / d.p50Ms,
          throughputRatio: p.callsPerSec / d.callsPerSec,
        });
      }
    }
    return rows;
  } finally {
    await sameThread.stop();
    await ownThread.stop();
  }
}

/** One closed-loop round of the built-in client and server, each connecting through its own URL. */
export async function measureRpcThrough(
  urls: { server: string; client: string },
  concurrency: number,
  roundMs: number,
  queue: string,
): Promise<ThroughputSample> {
  const server = await new FibRpcServer({ amqpUrl: urls.server, queue, prefetch: 32 }).start();
  const client = await new FibRpcClient({ amqpUrl: urls.client, queue, maxInFlight: 64 }).start();
  try {
    return await measureClosedLoop((n) => client.call(n), { concurrency, durationMs: roundMs, n: 20 });
  } finally {
    await client.close();
    await server.stop();
  }
}
