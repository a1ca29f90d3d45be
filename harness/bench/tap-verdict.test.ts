import { describe, expect, it } from 'vitest';
import { tapVerdict, type TapBenchRow } from './tap-bench.ts';

const sample = (callsPerSec: number, p50Ms: number) => ({ callsPerSec, p50Ms, p99Ms: p50Ms * 3, calls: callsPerSec * 3 });
function row(load: string, ratio: number, delta: number, tcpRatio: number, tcpDelta: number): TapBenchRow {
  return {
    load,
    withoutTap: sample(1000, 1),
    withTap: sample(1000 * ratio, 1 + delta),
    throughputRatio: ratio,
    p50DeltaMs: delta,
    overTcp: { sample: sample(1000 * tcpRatio, 1 + tcpDelta), throughputRatio: tcpRatio, p50DeltaMs: tcpDelta },
    hostCpuUsPerCall: { withoutTap: 20, withTap: 30, overTcp: 40 },
  } as TapBenchRow;
}

describe('the tap bench verdict', () => {
  it('judges throughput at 32 callers and p50 at 1 caller, and fails either when it misses', () => {
    const verdict = tapVerdict([row('closed loop, 1 caller', 0.7, 0.038, 0.7, 0.125), row('closed loop, 32 callers', 0.964, 0.312, 0.92, 0.372)]);
    expect(verdict).toContain('in memory (the built-in proxy) throughput 0.964x at 32 callers pass, p50 +0.038 ms at 1 caller pass');
    expect(verdict).toContain('over TCP (only in front of a real Toxiproxy) throughput 0.920x at 32 callers FAIL, p50 +0.125 ms at 1 caller FAIL');
    expect(tapVerdict([row('closed loop, 1 caller', 1, 0.051, 1, 0), row('closed loop, 32 callers', 0.949, 0, 1, 0)])).toContain('throughput 0.949x at 32 callers FAIL, p50 +0.051 ms at 1 caller FAIL');
    expect(tapVerdict([row('closed loop, 32 callers', 1, 0, 1, 0)])).toContain('not judged');
  });
});
