/**
 * The proxy on raw TCP, as the Toxiproxy comparison measures it: ping-pong latency of 64-byte
 * messages through an echo server, and one-way bulk throughput into a sink, each direct, through
 * the built-in proxy (on a worker thread of its own, as a real Toxiproxy runs in a process of its
 * own), and through a real Toxiproxy when TOXIPROXY_URL answers. Rounds interleaved, medians.
 */
import { Toxiproxy } from 'toxiproxy-node-client';
import { ToxiproxyThread } from '../env/proxy/toxiproxy-thread.ts';
import { measureBulk, measurePingPong, startTcpTarget, type TcpTarget } from './tcp-path.ts';

export interface TcpPathSample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly megabytesPerSec: number;
}

export interface TcpProxyBench {
  readonly direct: TcpPathSample;
  readonly builtin: TcpPathSample;
  /** Undefined when no real Toxiproxy was reachable. */
  readonly toxiproxy: TcpPathSample | undefined;
  readonly toxiproxyVersion: string | undefined;
  readonly roundTrips: number;
  readonly bulkBytes: number;
}

interface Path {
  readonly echoPort: number;
  readonly sinkPort: number;
}

export async function benchTcpProxy(options: {
  rounds: number;
  roundTrips: number;
  bulkBytes: number;
  toxiproxyUrl?: string | undefined;
}): Promise<TcpProxyBench> {
  const echo = await startTcpTarget('echo');
  const sink = await startTcpTarget('sink');
  const thread = await new ToxiproxyThread({ port: 0 }).start();
  const real = options.toxiproxyUrl ? await reachable(options.toxiproxyUrl) : undefined;
  const created: { toxiproxy: Toxiproxy; name: string }[] = [];
  try {
    const through = async (toxiproxy: Toxiproxy, tag: string): Promise<Path> => {
      const port = async (kind: string, target: TcpTarget) => {
        const name = `bench-tcp-${tag}-${kind}-${process.pid}`;
        const proxy = await toxiproxy.createProxy({ name, listen: '127.0.0.1:0', upstream: target.upstream });
        created.push({ toxiproxy, name });
        return Number(proxy.listen.slice(proxy.listen.lastIndexOf(':') + 1));
      };
      return { echoPort: await port('echo', echo), sinkPort: await port('sink', sink) };
    };
    const paths: Record<string, Path> = {
      direct: { echoPort: echo.port, sinkPort: sink.port },
      builtin: await through(new Toxiproxy(thread.getApiUrl()), 'builtin'),
    };
    if (real) paths.toxiproxy = await through(real.toxiproxy, 'real');
    const samples: Record<string, TcpPathSample[]> = {};
    // Warm-up (JIT, TCP buffers) for every path before anything counts.
    for (const path of Object.values(paths)) {
      await measurePingPong(path.echoPort, { roundTrips: 500, size: 64 });
      await measureBulk(path.sinkPort, sink, { bytes: Math.min(options.bulkBytes, 16e6) });
    }
    for (let round = 0; round < options.rounds; round++) {
      for (const [name, path] of Object.entries(paths)) {
        const pingPong = await measurePingPong(path.echoPort, { roundTrips: options.roundTrips, size: 64 });
        const bulk = await measureBulk(path.sinkPort, sink, { bytes: options.bulkBytes });
        (samples[name] ??= []).push({
          p50Ms: pingPong.p50Ms,
          p99Ms: pingPong.p99Ms,
          megabytesPerSec: bulk.megabytesPerSec,
        });
      }
    }
    const medianOf = (name: string): TcpPathSample => ({
      p50Ms: median(samples[name]!.map((s) => s.p50Ms)),
      p99Ms: median(samples[name]!.map((s) => s.p99Ms)),
      megabytesPerSec: median(samples[name]!.map((s) => s.megabytesPerSec)),
    });
    return {
      direct: medianOf('direct'),
      builtin: medianOf('builtin'),
      toxiproxy: real ? medianOf('toxiproxy') : undefined,
      toxiproxyVersion: real?.version,
      roundTrips: options.roundTrips,
      bulkBytes: options.bulkBytes,
    };
  } finally {
    for (const { toxiproxy, name } of created)
      await toxiproxy.get(name).then(
        (proxy) => proxy.remove(),
        () => undefined,
      );
    await thread.stop();
    await echo.stop();
    await sink.stop();
  }
}

/** A real Toxiproxy that answers GET /version within 2 s, or undefined. */
async function reachable(url: string): Promise<{ toxiproxy: Toxiproxy; version: string } | undefined> {
  const toxiproxy = new Toxiproxy(url);
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = await Promise.race([
      toxiproxy.getVersion(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), 2_000))),
    ]);
    let version = String(answer);
    try {
      version = String((JSON.parse(version) as { version?: unknown }).version ?? version);
    } catch {
      // Kept as sent.
    }
    return { toxiproxy, version };
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
