/**
 * A series that never holds more than `maxPoints` points however long the run: when it would,
 * neighbouring points are merged in pairs and from then on every point stands for twice as
 * many readings. Memory keeps its largest reading (a peak must not be averaged away), CPU its
 * mean (the readings are equally spaced, so that is the CPU over the merged time).
 */
export interface Reading {
  readonly atMs: number;
  readonly rssBytes: number;
  readonly cpuPercent: number;
}

interface Pending {
  atMs: number;
  rssBytes: number;
  cpuSum: number;
  readings: number;
}

export class ThinnedSeries {
  private points: Reading[] = [];
  private pending: Pending | undefined;
  /** Readings per point. */
  private stride = 1;

  constructor(private readonly maxPoints: number) {
    if (maxPoints < 2) throw new RangeError(`a thinned series needs room for 2 points, got ${maxPoints}`);
  }

  add(reading: Reading): void {
    const pending = this.pending ?? { atMs: reading.atMs, rssBytes: 0, cpuSum: 0, readings: 0 };
    pending.rssBytes = Math.max(pending.rssBytes, reading.rssBytes);
    pending.cpuSum += reading.cpuPercent;
    pending.readings++;
    this.pending = pending;
    if (pending.readings < this.stride) return;
    this.points.push(pointOf(pending));
    this.pending = undefined;
    if (this.points.length > this.maxPoints) this.halve();
  }

  /** The points so far, with the readings not yet making a whole point as a last one. */
  values(): Reading[] {
    return this.pending ? [...this.points, pointOf(this.pending)] : [...this.points];
  }

  get readingsPerPoint(): number {
    return this.stride;
  }

  private halve(): void {
    const merged: Reading[] = [];
    const even = this.points.length - (this.points.length % 2);
    for (let i = 0; i < even; i += 2) {
      const a = this.points[i]!;
      const b = this.points[i + 1]!;
      merged.push({
        atMs: a.atMs,
        rssBytes: Math.max(a.rssBytes, b.rssBytes),
        cpuPercent: (a.cpuPercent + b.cpuPercent) / 2,
      });
    }
    // A point left over waits for the readings that make it whole at the new stride.
    const left = this.points[even];
    this.pending = left && {
      atMs: left.atMs,
      rssBytes: left.rssBytes,
      cpuSum: left.cpuPercent * this.stride,
      readings: this.stride,
    };
    this.points = merged;
    this.stride *= 2;
  }
}

function pointOf(pending: Pending): Reading {
  return { atMs: pending.atMs, rssBytes: pending.rssBytes, cpuPercent: pending.cpuSum / pending.readings };
}
