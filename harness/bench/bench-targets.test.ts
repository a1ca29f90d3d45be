import { describe, expect, it } from 'vitest';
import type { BenchResults } from './bench-results.ts';
import { BENCH_TARGETS, describeFailures, judgeTargets, parseTargetOverrides, TARGET_NAMES } from './bench-targets.ts';
import type { TapBenchRow } from './tap-bench.ts';

const sample = (callsPerSec: number, p50Ms: number) => ({
  callsPerSec,
  p50Ms,
  p99Ms: p50Ms * 3,
  calls: callsPerSec * 3,
});
function tapRow(load: string, ratio: number, delta: number, tcpRatio: number, tcpDelta: number): TapBenchRow {
  return {
    load,
    withoutTap: sample(1000, 1),
    withTap: sample(1000 * ratio, 1 + delta),
    throughputRatio: ratio,
    p50DeltaMs: delta,
    overTcp: { sample: sample(1000 * tcpRatio, 1 + tcpDelta), throughputRatio: tcpRatio, p50DeltaMs: tcpDelta },
    hostCpuUsPerCall: { withoutTap: 20, withTap: 30, overTcp: 40 },
  };
}
const base: BenchResults = { startedAt: '2026-12-06T00:00:00.000Z', node: 'v20.20.2', quick: true };
const byName = (results: BenchResults, thresholds = {}) =>
  new Map(judgeTargets(results, thresholds).map((verdict) => [verdict.name, verdict]));

describe('bench targets', () => {
  it(
    'judges tap throughput at 32 callers and p50 at 1 caller, ' +
      'in memory and over TCP, and fails either when it misses',
    () => {
      const verdicts = byName({
        ...base,
        tap: [
          tapRow('closed loop, 1 caller', 0.7, 0.038, 0.7, 0.125),
          tapRow('closed loop, 32 callers', 0.964, 0.312, 0.92, 0.372),
        ],
      });
      expect(verdicts.get('tap.throughput-ratio')).toMatchObject({ value: 0.964, pass: true });
      expect(verdicts.get('tap.p50-delta-ms')).toMatchObject({ value: 0.038, pass: true });
      expect(verdicts.get('tap.over-tcp.throughput-ratio')).toMatchObject({ value: 0.92, pass: false });
      expect(verdicts.get('tap.over-tcp.p50-delta-ms')).toMatchObject({ value: 0.125, pass: false });
      const edge = byName({
        ...base,
        tap: [tapRow('closed loop, 1 caller', 1, 0.051, 1, 0), tapRow('closed loop, 32 callers', 0.949, 0, 1, 0)],
      });
      expect(edge.get('tap.throughput-ratio')?.pass).toBe(false);
      expect(edge.get('tap.p50-delta-ms')?.pass).toBe(false);
    },
  );

  it('fails a target whose section ran but measured nothing for it, and names it so', () => {
    const verdicts = byName({ ...base, tap: [tapRow('closed loop, 32 callers', 1, 0, 1, 0)] });
    expect(verdicts.get('tap.throughput-ratio')?.pass).toBe(true);
    expect(verdicts.get('tap.p50-delta-ms')).toMatchObject({ value: undefined, pass: false });
    expect(describeFailures([verdicts.get('tap.p50-delta-ms')!])).toEqual([
      'tap.p50-delta-ms none measured, target <= 0.050 ms',
    ]);
  });

  it(
    'judges no target of a section that did not run, ' + 'nor a comparison with a real Toxiproxy that was not measured',
    () => {
      expect(judgeTargets(base)).toEqual([]);
      const path = { p50Ms: 0.1, p99Ms: 0.5, megabytesPerSec: 500 };
      const names = judgeTargets({
        ...base,
        proxyTcp: {
          direct: { ...path, megabytesPerSec: 1000 },
          builtin: path,
          toxiproxy: undefined,
          toxiproxyVersion: undefined,
          roundTrips: 10,
          bulkBytes: 1e6,
        },
      }).map((verdict) => verdict.name);
      expect(names).toEqual(['proxy-tcp.bulk-vs-direct']);
    },
  );

  it('replaces a threshold with --target name=value, keeping the operator, and says so in the failure', () => {
    const report = { ...base, report: { htmlBytes: 234_567, openMs: 500, openMsMax: 700 } };
    expect(judgeTargets(report).every((verdict) => verdict.pass)).toBe(true);
    const { thresholds, errors } = parseTargetOverrides(['report.html-bytes=100000']);
    expect(errors).toEqual([]);
    const verdicts = judgeTargets(report, thresholds);
    expect(verdicts.find((verdict) => verdict.name === 'report.html-bytes')).toMatchObject({
      op: '<',
      threshold: 100_000,
      overridden: true,
      pass: false,
    });
    expect(describeFailures(verdicts)).toEqual([
      'report.html-bytes 234567 bytes, target < 100000 bytes (set by --target)',
    ]);
  });

  it('names the largest RSS growth of any process, shrinking included', () => {
    const slope = (process: string, growth: number) => ({
      process,
      warmRssMb: 100,
      endRssMb: 100 * (1 + growth),
      growth,
      slopeMbPerMin: 0,
      samples: 10,
      pass: Math.abs(growth) <= 0.1,
    });
    const memory = {
      durationMs: 5_000,
      calls: 10,
      callsPerSec: 2,
      processes: [slope('runner', 0.02), slope('client-1', -0.12), slope('server-1', 0.05)],
      series: {},
    };
    expect(byName({ ...base, memory }).get('memory.rss-growth-pct')).toMatchObject({
      detail: 'client-1, of 3 processes',
      pass: false,
    });
    expect(byName({ ...base, memory: { ...memory, processes: [] } }).get('memory.rss-growth-pct')).toMatchObject({
      value: undefined,
      detail: 'no process sampled long enough',
      pass: false,
    });
  });

  it('refuses every malformed --target at once, listing the targets', () => {
    const { errors } = parseTargetOverrides(['report.open-ms', 'report.size=1', 'report.open-ms=fast']);
    expect(errors).toHaveLength(3);
    expect(errors[0]).toBe('--target "report.open-ms": expected name=value, e.g. report.open-ms=3000');
    expect(errors[1]).toContain('unknown target "report.size"; targets: server.throughput-ratio, ');
    expect(errors[2]).toBe(
      '--target "report.open-ms=fast": "fast" is not a number (report.open-ms is in milliseconds, judged < the value)',
    );
  });

  it('gives every section with a stated target at least one target', () => {
    const sections = new Set(TARGET_NAMES.map((name) => BENCH_TARGETS[name].section));
    expect([...sections].sort()).toEqual([
      'memory',
      'open-loop',
      'proxy',
      'proxy-tcp',
      'report',
      'rpc',
      'server',
      'startup',
      'suite',
      'tap',
      'tracing',
    ]);
    for (const name of TARGET_NAMES) expect(name.startsWith(`${BENCH_TARGETS[name].section}.`), name).toBe(true);
  });
});
