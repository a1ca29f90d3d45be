/**
 * What the harness adds to every round trip it measures: before the load starts, the runner
 * times small AMQP round trips (basic.qos, answered by the broker at once) straight to the
 * broker, through the run's proxy, and through a frame tap in front of that, interleaved so
 * that the machine's load at the moment weighs on every path alike. A percentile of a path
 * minus the same percentile of the path without the layer is what that layer added. Paths
 * the run does not use are skipped; the whole calibration is bounded in round trips and time.
 */
import { performance } from 'node:perf_hooks';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { localAddressOptions } from '../env/local-address.ts';
import { redactMessage } from '../env/redact.ts';
import type { HarnessOverhead, PathLatency } from '../model/harness-overhead.ts';
import { AmqpFrameTap, type StartedAmqpFrameTap } from '../tap/amqp-frame-tap.ts';
import type { Topology } from './topology.ts';

export interface CalibrationLimits {
  /** Round trips timed per path. */
  readonly roundTrips: number;
  /** Round trips per path before timing starts (connections, JIT), not counted. */
  readonly warmUp: number;
  /** Timing stops here even if fewer round trips were made. */
  readonly samplingBudgetMs: number;
  /** Each connection must open within this. */
  readonly connectTimeoutMs: number;
}

export const DEFAULT_CALIBRATION: CalibrationLimits = {
  roundTrips: 200,
  warmUp: 10,
  samplingBudgetMs: 400,
  connectTimeoutMs: 3_000,
};

const METHOD = 'AMQP basic.qos round trips from the runner, paths interleaved';

type PathName = PathLatency['path'];

interface OpenPath {
  readonly path: PathName;
  readonly connection: ChannelModel;
  readonly channel: Channel;
  readonly samplesMs: number[];
}

/**
 * Calibrates the paths the run's processes use: `withTap` when an external implementation sits
 * behind a frame tap. Undefined when the run has neither proxy nor tap (nothing to compare).
 * Never throws: a failure is reported in `error`, with whatever was measured before it.
 */
export async function calibrateOverhead(
  topology: Topology,
  withTap: boolean,
  limits: CalibrationLimits = DEFAULT_CALIBRATION,
): Promise<HarnessOverhead | undefined> {
  if (!topology.proxying && !withTap) return undefined;
  const started = performance.now();
  const direct = topology.directUrlFor('clients', 1);
  const proxied = topology.proxying ? topology.amqpUrlFor('clients', 1) : undefined;
  const paths: OpenPath[] = [];
  let tap: StartedAmqpFrameTap | undefined;
  let error: string | undefined;
  try {
    const urls: Array<[PathName, string]> = [['direct', direct]];
    if (proxied) urls.push(['proxy', proxied]);
    if (withTap) {
      const upstream = new URL(proxied ?? direct);
      tap = await new AmqpFrameTap({
        name: 'calibration',
        upstream: { host: upstream.hostname, port: Number(upstream.port) },
      }).start();
      urls.push([proxied ? 'tap+proxy' : 'tap', tap.getAmqpUrl(proxied ?? direct)]);
    }
    paths.push(...(await Promise.all(urls.map(([path, url]) => openPath(path, url, limits.connectTimeoutMs)))));
    await timeRoundTrips(paths, limits);
  } catch (cause) {
    error = `calibration stopped: ${redactMessage((cause as Error).message)}`;
  } finally {
    await Promise.allSettled(paths.map((open) => open.connection.close()));
    await tap?.stop().catch(() => undefined);
  }
  return summarizeOverhead(
    paths.map(({ path, samplesMs }) => ({ path, samplesMs })),
    performance.now() - started,
    error,
  );
}

async function openPath(path: PathName, url: string, timeoutMs: number): Promise<OpenPath> {
  const connecting = amqp.connect(url, { noDelay: true, ...localAddressOptions() });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${path} path: no connection within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const connection = await Promise.race([connecting, timedOut]);
    connection.on('error', () => {
      // A calibration connection that fails ends the calibration through its next round trip.
    });
    return { path, connection, channel: await connection.createChannel(), samplesMs: [] };
  } catch (cause) {
    // A connection that opened too late, or without its channel, is closed, not left behind.
    connecting.then((opened) => opened.close()).catch(() => undefined);
    throw cause;
  } finally {
    clearTimeout(timer);
  }
}

/** One round trip per path per round, the order turning each round, until enough rounds or the budget is spent. */
async function timeRoundTrips(paths: readonly OpenPath[], limits: CalibrationLimits): Promise<void> {
  for (let round = 0; round < limits.warmUp; round++) for (const open of paths) await open.channel.prefetch(1);
  const deadline = performance.now() + limits.samplingBudgetMs;
  for (let round = 0; round < limits.roundTrips && performance.now() < deadline; round++) {
    for (let k = 0; k < paths.length; k++) {
      const open = paths[(round + k) % paths.length] as OpenPath;
      const sent = performance.now();
      await open.channel.prefetch(1);
      open.samplesMs.push(performance.now() - sent);
    }
  }
}

/** Percentiles per path and what each layer added; pure, so it is tested on its own. */
export function summarizeOverhead(
  paths: ReadonlyArray<{ path: PathName; samplesMs: readonly number[] }>,
  costMs: number,
  error?: string,
): HarnessOverhead {
  const measured = paths.filter((each) => each.samplesMs.length > 0);
  const latencies: PathLatency[] = measured.map(({ path, samplesMs }) => {
    const sorted = [...samplesMs].sort((a, b) => a - b);
    return { path, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  });
  const of = (path: PathName) => latencies.find((each) => each.path === path);
  const added = (withLayer: PathLatency | undefined, without: PathLatency | undefined) =>
    withLayer && without
      ? { p50Ms: withLayer.p50Ms - without.p50Ms, p99Ms: withLayer.p99Ms - without.p99Ms }
      : undefined;
  const proxy = added(of('proxy'), of('direct'));
  const tap = added(of('tap+proxy'), of('proxy')) ?? added(of('tap'), of('direct'));
  return {
    method: METHOD,
    roundTrips: measured.length > 0 ? Math.min(...measured.map((each) => each.samplesMs.length)) : 0,
    costMs,
    paths: latencies,
    ...(proxy ? { proxy } : {}),
    ...(tap ? { tap } : {}),
    ...(error ? { error } : {}),
  };
}

/** Nearest rank: the smallest sample with at least `q` of the samples at or below it. */
function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
