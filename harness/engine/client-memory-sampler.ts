/**
 * Samples each client process's resident memory (its process tree, from /proc) while the load
 * runs, for the memory-bounded check. Its output is the series model/client-resources.ts
 * defines, so a shared per-process resource record can replace it without touching the check.
 */
import type { ClientInstance } from '../impl/implementation.ts';
import type { RssSample } from '../model/client-resources.ts';
import { processTreeRssBytes } from '../observe/process-rss.ts';

/** Twice the rate a once-a-second record would give: the check's windows get a median of several readings. */
export const RSS_SAMPLE_EVERY_MS = 500;
/** A bound on the series per client: an hour at the sampling rate. */
const MAX_SAMPLES = 7_200;

export class ClientMemorySampler {
  private readonly series = new Map<string, RssSample[]>();
  private timer: NodeJS.Timeout | undefined;

  /** Starts sampling `clients`; times count from `loadStartEpochMs`. */
  start(clients: readonly ClientInstance[], loadStartEpochMs: number): void {
    this.stop();
    const sample = () => {
      const tMs = Date.now() - loadStartEpochMs;
      for (const client of clients) {
        const rssBytes = client.pid === undefined ? undefined : processTreeRssBytes(client.pid);
        if (rssBytes === undefined) continue;
        let samples = this.series.get(client.name);
        if (!samples) this.series.set(client.name, (samples = []));
        if (samples.length < MAX_SAMPLES) samples.push({ tMs, rssBytes });
      }
    };
    sample();
    this.timer = setInterval(sample, RSS_SAMPLE_EVERY_MS).unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Each client's RSS series, oldest first. */
  samples(): ReadonlyMap<string, readonly RssSample[]> {
    return this.series;
  }
}
