/**
 * Each client's own answered-calls series, for the per-client fault impact
 * (observe/client-fault-impact.ts): the counts of its per-second recording, before the
 * processes' recordings are merged, and when its last call was due.
 */
import type { ReportingInstance } from '../impl/implementation.ts';
import type { LoadOptions } from '../load/load-options.ts';
import type { IntervalPoint } from '../model/result-schema.ts';
import type { ClientSeries } from '../observe/client-fault-impact.ts';
import { decodeHistogram } from '../observe/histogram.ts';
import { INTERVAL_MS } from './merge-recordings.ts';

/** Clients that did not report (killed, crashed) have no series and are left out. */
export function clientSeriesOf(
  clients: readonly ReportingInstance[],
  load: LoadOptions,
  loadDurationMs: number,
): ClientSeries[] {
  const offeredPerSec = load.executor === 'constant-arrival-rate' ? load.ratePerSec : undefined;
  return clients.flatMap((client): ClientSeries[] => {
    const latency = client.final?.latency;
    if (!latency) return [];
    const counts = new Map<number, number>();
    for (const { index, histogram } of latency.intervals) {
      counts.set(index, (counts.get(index) ?? 0) + decodeHistogram(histogram).totalCount);
    }
    const byStart = client.final?.callsByStart;
    const lastDue = byStart?.outcomes.at(-1);
    return [
      {
        client: client.name,
        series: countSeries(counts, loadDurationMs),
        ...(offeredPerSec !== undefined ? { offeredPerSec } : {}),
        ...(byStart && lastDue ? { lastCallStartMs: (lastDue.index + 1) * byStart.intervalMs } : {}),
      },
    ];
  });
}

/** One point per second up to the end of the load, empty seconds included; only counts and rates. */
function countSeries(counts: ReadonlyMap<number, number>, loadDurationMs: number): IntervalPoint[] {
  const lastIndex = Math.max(Math.ceil(loadDurationMs / INTERVAL_MS) - 1, ...counts.keys());
  const series: IntervalPoint[] = [];
  for (let index = 0; index <= lastIndex; index++) {
    const tMs = index * INTERVAL_MS;
    const count = counts.get(index) ?? 0;
    const lengthMs = loadDurationMs > tMs ? Math.min(INTERVAL_MS, loadDurationMs - tMs) : INTERVAL_MS;
    series.push({ tMs, count, throughputPerSec: (count * 1000) / lengthMs, p50: 0, p90: 0, p99: 0, max: 0 });
  }
  return series;
}
