import { describe, expect, it } from 'vitest';
import { alternatingRow, type AlternatingSample } from './tracing-bench.ts';

const pair = (on: number, off: number, onCpu = 40, offCpu = 40) => ({
  on: { callsPerSec: on, cpuUsPerCall: onCpu },
  off: { callsPerSec: off, cpuUsPerCall: offCpu },
});

describe('alternatingRow', () => {
  it('takes the median of the per-pair losses, so one disturbed pair does not move it', () => {
    const sample: AlternatingSample = {
      windowMs: 500,
      pairs: [pair(9_800, 10_000), pair(9_700, 10_000), pair(5_000, 10_000), pair(9_900, 10_000), pair(9_600, 10_000)],
    };
    const row = alternatingRow(0.01, sample);
    expect(row.throughputLoss).toBeCloseTo(0.03, 10);
    expect(row.lossQuartiles[0]).toBeCloseTo(0.02, 10);
    expect(row.lossQuartiles[1]).toBeCloseTo(0.04, 10);
    expect(row.pairs).toBe(5);
  });

  it('reports a loss above the 5 % target when tracing costs that much, and the CPU overhead per call', () => {
    const row = alternatingRow(0.01, {
      windowMs: 500,
      pairs: [pair(9_000, 10_000, 44, 40), pair(9_200, 10_000, 43, 40), pair(9_100, 10_000, 45, 40)],
    });
    expect(row.throughputLoss).toBeCloseTo(0.09, 10);
    expect(row.throughputLoss).toBeGreaterThan(0.05);
    expect(row.cpuOverhead).toBeCloseTo(0.1, 10);
    expect(row.onCallsPerSec).toBe(9_100);
    expect(row.offCallsPerSec).toBe(10_000);
  });

  it('refuses a sample without pairs instead of reporting a loss of nothing', () => {
    expect(() => alternatingRow(0.01, { windowMs: 500, pairs: [] })).toThrow(/no pair of windows/);
  });
});
