import { describe, expect, it } from 'vitest';
import { findFreePort } from '../env/free-port.ts';
import { calibrateOverhead, summarizeOverhead } from './calibrate-overhead.ts';
import type { Topology } from './topology.ts';

/** 100 samples: 1..100 µs-ish values scaled, so p50 and p99 are known exactly. */
const ramp = (offsetMs: number) => Array.from({ length: 100 }, (_, i) => offsetMs + (i + 1) / 100);

describe('the harness overhead from calibration samples', () => {
  it("takes each path's p50 and p99 by nearest rank and subtracts the path without the layer", () => {
    const overhead = summarizeOverhead(
      [
        { path: 'direct', samplesMs: ramp(0) },
        { path: 'proxy', samplesMs: ramp(0.1) },
        { path: 'tap+proxy', samplesMs: ramp(0.15) },
      ],
      123,
    );
    expect(overhead.roundTrips).toBe(100);
    expect(overhead.costMs).toBe(123);
    expect(overhead.paths.map((path) => [path.path, path.p50Ms, path.p99Ms])).toEqual([
      ['direct', 0.5, 0.99],
      ['proxy', 0.6, 1.09],
      ['tap+proxy', 0.65, 1.14],
    ]);
    expect(overhead.proxy?.p50Ms).toBeCloseTo(0.1, 9);
    expect(overhead.proxy?.p99Ms).toBeCloseTo(0.1, 9);
    expect(overhead.tap?.p50Ms).toBeCloseTo(0.05, 9);
    expect(overhead.error).toBeUndefined();
  });

  it('measures a tap straight to the broker against the direct path when there is no proxy', () => {
    const overhead = summarizeOverhead(
      [
        { path: 'direct', samplesMs: ramp(0) },
        { path: 'tap', samplesMs: ramp(0.03) },
      ],
      50,
    );
    expect(overhead.proxy).toBeUndefined();
    expect(overhead.tap?.p50Ms).toBeCloseTo(0.03, 9);
  });

  it('keeps a negative difference as measured: a noisy sample is not clamped into a cost', () => {
    const overhead = summarizeOverhead(
      [
        { path: 'direct', samplesMs: ramp(0.02) },
        { path: 'proxy', samplesMs: ramp(0) },
      ],
      10,
    );
    expect(overhead.proxy?.p50Ms).toBeCloseTo(-0.02, 9);
  });

  it('reports what failed, and no layer it could not compare', () => {
    const overhead = summarizeOverhead(
      [
        { path: 'direct', samplesMs: ramp(0) },
        { path: 'proxy', samplesMs: [] },
      ],
      3_000,
      'calibration stopped: proxy path: no connection within 3000 ms',
    );
    expect(overhead.paths.map((path) => path.path)).toEqual(['direct']);
    expect(overhead.proxy).toBeUndefined();
    expect(overhead.error).toContain('no connection');
  });

  it('never throws: a path nobody listens on ends the calibration with the reason, bounded in time', async () => {
    const url = `amqp://guest:guest@127.0.0.1:${await findFreePort()}`;
    // Only what the calibration reads of a topology: two URLs and whether it has a proxy.
    const nobodyListens = { directUrlFor: () => url, amqpUrlFor: () => url, proxying: {} } as unknown as Topology;
    const started = Date.now();
    const overhead = await calibrateOverhead(nobodyListens, false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(overhead?.error).toMatch(/^calibration stopped: .*ECONNREFUSED/);
    expect(overhead?.paths).toEqual([]);
    expect(overhead?.roundTrips).toBe(0);
  });
});
