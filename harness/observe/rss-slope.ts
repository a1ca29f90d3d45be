import { readdirSync, readFileSync } from 'node:fs';

export interface RssSample {
  readonly tMs: number;
  readonly rssMb: number;
}

/** A process's RSS may grow at most this much between the first window after warm-up and the last one. */
export const RSS_GROWTH_TARGET = 0.1;

export interface RssSlope {
  readonly process: string;
  /** Median RSS over the first window after warm-up. */
  readonly warmRssMb: number;
  /** Median RSS over the last window of the run. */
  readonly endRssMb: number;
  /** (end - warm) / warm: the figure the target (<= 10 %) is about. */
  readonly growth: number;
  /** Least-squares slope of RSS after warm-up, MB per minute. */
  readonly slopeMbPerMin: number;
  readonly samples: number;
  /** |growth| <= RSS_GROWTH_TARGET: flat after warm-up. Shrinking as much fails too: the memory is not steady. */
  readonly pass: boolean;
}

/**
 * Whether a process's memory is flat after warm-up: compares the medians of the first and
 * last windows (medians, because a garbage collection makes single samples jump) and fits a
 * line through everything after warm-up.
 */
export function rssSlope(
  process: string,
  samples: readonly RssSample[],
  options: { warmUpMs: number; windowMs: number },
): RssSlope | undefined {
  const after = samples.filter((sample) => sample.tMs >= options.warmUpMs);
  if (after.length < 4) return undefined;
  const lastT = after[after.length - 1]!.tMs;
  const warm = median(after.filter((s) => s.tMs < options.warmUpMs + options.windowMs).map((s) => s.rssMb));
  const end = median(after.filter((s) => s.tMs > lastT - options.windowMs).map((s) => s.rssMb));
  const meanT = after.reduce((sum, s) => sum + s.tMs, 0) / after.length;
  const meanR = after.reduce((sum, s) => sum + s.rssMb, 0) / after.length;
  const covariance = after.reduce((sum, s) => sum + (s.tMs - meanT) * (s.rssMb - meanR), 0);
  const variance = after.reduce((sum, s) => sum + (s.tMs - meanT) ** 2, 0);
  const growth = (end - warm) / warm;
  return {
    process,
    warmRssMb: warm,
    endRssMb: end,
    growth,
    pass: Math.abs(growth) <= RSS_GROWTH_TARGET,
    slopeMbPerMin: variance > 0 ? (covariance / variance) * 60_000 : 0,
    samples: after.length,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The RSS (MB) of this process's worker children, by worker name (the RPC_CHAOS_WORKER
 * variable the runner gives each), read from /proc. Empty where there is no /proc.
 */
export function workerRss(parentPid: number = process.pid): Map<string, number> {
  const rss = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return rss;
  }
  for (const pid of entries) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const name = readFileSync(`/proc/${pid}/environ`, 'utf8')
        .split('\0')
        .find((line) => line.startsWith('RPC_CHAOS_WORKER='))
        ?.slice('RPC_CHAOS_WORKER='.length);
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (name && kb) rss.set(name, Number(kb) / 1024);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return rss;
}
