import type { Resources } from '../../model/process-resources.ts';

/**
 * The resource charts' data, aligned for uPlot: one time axis (seconds since the run start, the
 * union of every process's readings) and per process its memory in MiB and CPU in %, null where
 * it had no reading (not started yet, or dead): the chart shows a gap there.
 */
export interface ResourceChartData {
  readonly t: number[];
  readonly processes: ReadonlyArray<{
    readonly name: string;
    readonly role: string;
    readonly rssMiB: Array<number | null>;
    readonly cpu: Array<number | null>;
  }>;
}

export function resourceChartData(resources: Resources): ResourceChartData {
  const times = [...new Set(resources.processes.flatMap((p) => p.samples.map((s) => s.tMs)))].sort((a, b) => a - b);
  const indexOf = new Map(times.map((tMs, i) => [tMs, i]));
  return {
    t: times.map((tMs) => Math.round(tMs / 100) / 10),
    processes: resources.processes.map((process) => {
      const rssMiB: Array<number | null> = times.map(() => null);
      const cpu: Array<number | null> = times.map(() => null);
      for (const sample of process.samples) {
        const i = indexOf.get(sample.tMs)!;
        rssMiB[i] = Math.round((sample.rssBytes / 1024 / 1024) * 10) / 10;
        cpu[i] = sample.cpuPercent;
      }
      return { name: process.name, role: process.role, rssMiB, cpu };
    }),
  };
}
