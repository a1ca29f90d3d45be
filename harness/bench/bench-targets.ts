/**
 * The bench's targets, each a value read from the results of one section against a
 * threshold, judged after the run from the results alone (as gates judge a ScenarioResult).
 * `npm run bench -- --target name=value` replaces a threshold (the operator stays);
 * `--check` makes a failed target fail the run.
 *
 * A target whose section did not run is not judged. A comparison that needs something
 * optional (a real Toxiproxy at TOXIPROXY_URL, SCHED_FIFO for the realtime client) is judged
 * only when it was measured. A section that ran but has no value for a target (no restart
 * landed, no process sampled long enough) fails it: nothing measured is not a pass.
 */
import type { BenchResults, BenchSection } from './bench-results.ts';
import type { ProxyBenchRow } from './proxy-bench.ts';
import { RSS_GROWTH_TARGET } from '../observe/rss-slope.ts';
import { median } from './sample-stats.ts';

export type TargetOp = '>=' | '<=' | '<';
export type TargetUnit = 'x' | '%' | 'ms' | 's' | 'bytes' | 'calls' | 'cells';

/** What a target read from the results: a value (undefined: the section measured none), and which sample it is. */
interface Reading {
  readonly value: number | undefined;
  readonly detail?: string;
}

interface TargetDefinition {
  readonly section: BenchSection;
  readonly what: string;
  readonly op: TargetOp;
  readonly threshold: number;
  readonly unit: TargetUnit;
  /** Undefined: not judged (section not run, optional comparison not measured). */
  readonly read: (results: BenchResults) => Reading | undefined;
}

const oneCaller = (load: string) => load.endsWith(' 1 caller');
/** The RPC proxy rows of the placement scenarios use: the proxy on the runner's own event loop. */
const proxyRow = (results: BenchResults, loaded: boolean): ProxyBenchRow | undefined =>
  results.proxy?.find((row) => row.placement === 'same thread' && oneCaller(row.load) !== loaded);
const tapRow = (results: BenchResults, loaded: boolean) => results.tap?.find((row) => oneCaller(row.load) !== loaded);
/** A row the section should have produced: its absence is a value of none, not a skipped target. */
function ranWith<T>(ran: unknown, row: T | undefined, value: (row: T) => number, detail?: string): Reading | undefined {
  if (ran === undefined) return undefined;
  return { value: row === undefined ? undefined : value(row), detail };
}

export const BENCH_TARGETS = {
  'server.throughput-ratio': {
    section: 'server',
    what: 'FibRpcServer / a minimal amqplib server, calls/s at 32 callers',
    op: '>=',
    threshold: 0.95,
    unit: 'x',
    read: (r) => ranWith(r.serverAlone, r.serverAlone, (row) => row.throughputRatio),
  },
  'rpc.callback-queue.throughput-ratio': {
    section: 'rpc',
    what: 'FibRpcClient+Server / the raw amqplib loop, callback queue, calls/s at 32 callers',
    op: '>=',
    threshold: 0.95,
    unit: 'x',
    read: (r) =>
      ranWith(
        r.rpc,
        r.rpc?.find((row) => row.replyMode === 'callback-queue'),
        (row) => row.throughputRatio,
      ),
  },
  'rpc.direct-reply-to.throughput-ratio': {
    section: 'rpc',
    what: 'FibRpcClient+Server / the raw amqplib loop, direct reply-to, calls/s at 32 callers',
    op: '>=',
    threshold: 0.95,
    unit: 'x',
    read: (r) =>
      ranWith(
        r.rpc,
        r.rpc?.find((row) => row.replyMode === 'direct-reply-to'),
        (row) => row.throughputRatio,
      ),
  },
  'tracing.loss-1pct': {
    section: 'tracing',
    what: 'throughput lost to tracing at 1 %, a process per mode, median of paired rounds',
    op: '<=',
    threshold: 5,
    unit: '%',
    read: (r) =>
      ranWith(
        r.tracing,
        r.tracing?.find((row) => row.mode === '1%'),
        (row) => row.throughputLoss * 100,
      ),
  },
  'tracing.alternating-loss-1pct': {
    section: 'tracing',
    what: 'throughput lost to tracing at 1 %, switched on and off in one process, median of pairs',
    op: '<=',
    threshold: 5,
    unit: '%',
    read: (r) => ranWith(r.tracing, r.tracingAlternating, (row) => row.throughputLoss * 100),
  },
  'proxy.p50-ratio-1-caller': {
    section: 'proxy',
    what: 'RPC p50 through the built-in proxy / direct, 1 caller',
    op: '<=',
    threshold: 1.1,
    unit: 'x',
    read: (r) => ranWith(r.proxy, proxyRow(r, false), (row) => row.p50Ratio),
  },
  'proxy.throughput-ratio-32-callers': {
    section: 'proxy',
    what: 'RPC calls/s through the built-in proxy / direct, 32 callers',
    op: '>=',
    threshold: 0.9,
    unit: 'x',
    read: (r) => ranWith(r.proxy, proxyRow(r, true), (row) => row.throughputRatio),
  },
  'proxy.p50-ratio-32-callers': {
    section: 'proxy',
    what: 'RPC p50 through the built-in proxy / direct, 32 callers',
    op: '<=',
    threshold: 1.1,
    unit: 'x',
    read: (r) => ranWith(r.proxy, proxyRow(r, true), (row) => row.p50Ratio),
  },
  'proxy-tcp.bulk-vs-direct': {
    section: 'proxy-tcp',
    what: 'raw TCP bulk MB/s through the built-in proxy / direct',
    op: '>=',
    threshold: 0.9,
    unit: 'x',
    read: (r) => ranWith(r.proxyTcp, r.proxyTcp, (tcp) => tcp.builtin.megabytesPerSec / tcp.direct.megabytesPerSec),
  },
  'proxy-tcp.p99-vs-toxiproxy': {
    section: 'proxy-tcp',
    what: 'raw TCP ping-pong p99, built-in proxy / a real Toxiproxy (with TOXIPROXY_URL)',
    op: '<=',
    threshold: 1,
    unit: 'x',
    read: (r) => (r.proxyTcp?.toxiproxy ? { value: r.proxyTcp.builtin.p99Ms / r.proxyTcp.toxiproxy.p99Ms } : undefined),
  },
  'proxy-tcp.bulk-vs-toxiproxy': {
    section: 'proxy-tcp',
    what: 'raw TCP bulk MB/s, built-in proxy / a real Toxiproxy (with TOXIPROXY_URL)',
    op: '>=',
    threshold: 1,
    unit: 'x',
    read: (r) =>
      r.proxyTcp?.toxiproxy
        ? { value: r.proxyTcp.builtin.megabytesPerSec / r.proxyTcp.toxiproxy.megabytesPerSec }
        : undefined,
  },
  // A saturated closed loop's p50 is callers / throughput (Little's law): throughput is judged
  // at saturation, latency unloaded.
  'tap.throughput-ratio': {
    section: 'tap',
    what: 'calls/s with the frame tap in memory (the built-in proxy) / without, 32 callers',
    op: '>=',
    threshold: 0.95,
    unit: 'x',
    read: (r) => ranWith(r.tap, tapRow(r, true), (row) => row.throughputRatio),
  },
  'tap.p50-delta-ms': {
    section: 'tap',
    what: 'p50 added by the frame tap in memory (the built-in proxy), 1 caller',
    op: '<=',
    threshold: 0.05,
    unit: 'ms',
    read: (r) => ranWith(r.tap, tapRow(r, false), (row) => row.p50DeltaMs),
  },
  'tap.over-tcp.throughput-ratio': {
    section: 'tap',
    what: 'calls/s with the frame tap over TCP (only in front of a real Toxiproxy) / without, 32 callers',
    op: '>=',
    threshold: 0.95,
    unit: 'x',
    read: (r) => ranWith(r.tap, tapRow(r, true), (row) => row.overTcp.throughputRatio),
  },
  'tap.over-tcp.p50-delta-ms': {
    section: 'tap',
    what: 'p50 added by the frame tap over TCP (only in front of a real Toxiproxy), 1 caller',
    op: '<=',
    threshold: 0.05,
    unit: 'ms',
    read: (r) => ranWith(r.tap, tapRow(r, false), (row) => row.overTcp.p50DeltaMs),
  },
  'startup.worker-p50-ms': {
    section: 'startup',
    what: 'a compiled worker from spawn to consuming, p50',
    op: '<=',
    threshold: 300,
    unit: 'ms',
    read: (r) =>
      ranWith(
        r.startup,
        r.startup?.workerStart.find((row) => row.mode === 'compiled'),
        (row) => row.p50Ms,
      ),
  },
  'startup.restart-lag-ms': {
    section: 'startup',
    what: 'a scheduled server restart consuming after its time, median',
    op: '<=',
    threshold: 100,
    unit: 'ms',
    read: (r) => {
      const lags = r.startup?.duplicateReplyRuns.flatMap((run) => run.restartLagsMs);
      return ranWith(
        r.startup,
        lags && lags.length > 0 ? lags : undefined,
        median,
        lags ? `${lags.length} restart${lags.length === 1 ? '' : 's'}` : undefined,
      );
    },
  },
  'startup.duplicate-reply-s': {
    section: 'startup',
    what: 'npm run scenario -- duplicate-reply end to end, broker start included, median',
    op: '<',
    threshold: 12,
    unit: 's',
    read: (r) => {
      const runs = r.startup?.duplicateReplyRuns;
      return ranWith(
        r.startup,
        runs && runs.length > 0 ? runs : undefined,
        (all) => median(all.map((run) => run.wallMs)) / 1000,
        runs
          ? `${runs.length} run${runs.length === 1 ? '' : 's'}: ${runs.map((run) => run.verdict).join(', ')}`
          : undefined,
      );
    },
  },
  'suite.single-node-catalogue-s': {
    section: 'suite',
    what: 'npm run suite: the single-node catalogue against the built-ins, end to end',
    op: '<',
    threshold: 180,
    unit: 's',
    read: (r) =>
      r.suite?.wholeCatalogue
        ? {
            value: r.suite.wallMs / 1000,
            detail: `${r.suite.cells.length} scenarios, ${r.suite.brokerStarts} broker start`,
          }
        : undefined,
  },
  'suite.cells-not-passed': {
    section: 'suite',
    what: 'npm run suite: cells of the built-ins that did not pass',
    op: '<=',
    threshold: 0,
    unit: 'cells',
    read: (r) =>
      ranWith(
        r.suite,
        r.suite,
        (suite) => suite.cells.filter((cell) => cell.status !== 'pass').length,
        r.suite?.cells
          .filter((cell) => cell.status !== 'pass')
          .map((cell) => `${cell.scenario}: ${cell.status}`)
          .join(', ') || undefined,
      ),
  },
  'open-loop.rate-error-pct': {
    section: 'open-loop',
    what: 'open loop at 2,000/s: achieved rate off its target by',
    op: '<=',
    threshold: 1,
    unit: '%',
    read: (r) => ranWith(r.openLoop, r.openLoop?.atTarget, (sample) => Math.abs(sample.rateRatio - 1) * 100),
  },
  'open-loop.lateness-p99-ms': {
    section: 'open-loop',
    what: 'open loop at 2,000/s: call start lateness p99',
    op: '<',
    threshold: 2,
    unit: 'ms',
    read: (r) => ranWith(r.openLoop, r.openLoop?.atTarget.startLateness, (lateness) => lateness.p99),
  },
  'open-loop.unaccounted': {
    section: 'open-loop',
    what: 'open loop at 2,000/s: due calls neither started nor counted as dropped',
    op: '<=',
    threshold: 0,
    unit: 'calls',
    read: (r) => ranWith(r.openLoop, r.openLoop?.atTarget, (sample) => sample.unaccounted),
  },
  'open-loop.realtime.lateness-p99-ms': {
    section: 'open-loop',
    what: 'open loop at 2,000/s, client under SCHED_FIFO: call start lateness p99 (where the machine allows it)',
    op: '<',
    threshold: 2,
    unit: 'ms',
    read: (r) => {
      const realtime = r.openLoop?.atTargetRealtime;
      if (realtime === undefined || 'notMeasured' in realtime) return undefined;
      return { value: realtime.startLateness?.p99 };
    },
  },
  'memory.rss-growth-pct': {
    section: 'memory',
    what: 'RSS growth after warm-up of the runner and every worker, the largest |growth|',
    op: '<=',
    threshold: RSS_GROWTH_TARGET * 100,
    unit: '%',
    read: (r) => {
      const worst = [...(r.memory?.processes ?? [])].sort((a, b) => Math.abs(b.growth) - Math.abs(a.growth))[0];
      return ranWith(
        r.memory,
        worst,
        (row) => Math.abs(row.growth) * 100,
        worst ? `${worst.process}, of ${r.memory?.processes.length} processes` : 'no process sampled long enough',
      );
    },
  },
  'report.html-bytes': {
    section: 'report',
    what: 'report.html of a 10-minute run at 500 calls/s: size',
    op: '<',
    threshold: 2_000_000,
    unit: 'bytes',
    read: (r) => ranWith(r.report, r.report?.htmlBytes, (bytes) => bytes),
  },
  'report.open-ms': {
    section: 'report',
    what: 'the same report in headless Chromium, navigation until every chart is drawn, median',
    op: '<',
    threshold: 2_000,
    unit: 'ms',
    read: (r) => ranWith(r.report, r.report?.openMs, (ms) => ms),
  },
} as const satisfies Record<string, TargetDefinition>;

export type TargetName = keyof typeof BENCH_TARGETS;
export const TARGET_NAMES = Object.keys(BENCH_TARGETS) as TargetName[];
export type TargetThresholds = Partial<Record<TargetName, number>>;

export interface TargetVerdict {
  readonly name: TargetName;
  readonly section: BenchSection;
  readonly what: string;
  readonly op: TargetOp;
  readonly threshold: number;
  /** The threshold came from --target, not the bench's own. */
  readonly overridden: boolean;
  readonly unit: TargetUnit;
  /** Undefined: the section ran but measured nothing for this target, which fails it. */
  readonly value: number | undefined;
  readonly detail?: string;
  readonly pass: boolean;
}

/**
 * Parses `--target name=value` options into thresholds. Every problem is reported at once,
 * naming the option and what would be valid.
 */
export function parseTargetOverrides(options: readonly string[]): { thresholds: TargetThresholds; errors: string[] } {
  const thresholds: TargetThresholds = {};
  const errors: string[] = [];
  for (const option of options) {
    const match = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(option);
    if (!match) {
      errors.push(`--target "${option}": expected name=value, e.g. report.open-ms=3000`);
      continue;
    }
    const [, name, text] = match as unknown as [string, string, string];
    if (!Object.hasOwn(BENCH_TARGETS, name)) {
      errors.push(`--target "${option}": unknown target "${name}"; targets: ${TARGET_NAMES.join(', ')}`);
      continue;
    }
    const value = Number(text);
    const definition = BENCH_TARGETS[name as TargetName];
    if (!Number.isFinite(value) || text.trim() === '') {
      errors.push(
        `--target "${option}": "${text}" is not a number ` +
          `(${name} is in ${unitName(definition.unit)}, judged ${definition.op} the value)`,
      );
      continue;
    }
    thresholds[name as TargetName] = value;
  }
  return { thresholds, errors };
}

/** Every target of the sections in `results`, judged against its threshold (or the one given). */
export function judgeTargets(results: BenchResults, thresholds: TargetThresholds = {}): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  for (const name of TARGET_NAMES) {
    const definition: TargetDefinition = BENCH_TARGETS[name];
    const reading = definition.read(results);
    if (reading === undefined) continue;
    const threshold = thresholds[name] ?? definition.threshold;
    verdicts.push({
      name,
      section: definition.section,
      what: definition.what,
      op: definition.op,
      threshold,
      overridden: thresholds[name] !== undefined,
      unit: definition.unit,
      value: reading.value,
      ...(reading.detail === undefined ? {} : { detail: reading.detail }),
      pass:
        reading.value !== undefined &&
        Number.isFinite(reading.value) &&
        compare(reading.value, definition.op, threshold),
    });
  }
  return verdicts;
}

function compare(value: number, op: TargetOp, threshold: number): boolean {
  switch (op) {
    case '>=':
      return value >= threshold;
    case '<=':
      return value <= threshold;
    case '<':
      return value < threshold;
  }
}

/** A value in its unit as the tables print it: 0.953x, 4.2 %, 0.038 ms, 11.3 s, 235008 bytes. */
export function formatTargetValue(value: number | undefined, unit: TargetUnit): string {
  if (value === undefined || !Number.isFinite(value)) return 'none measured';
  switch (unit) {
    case 'x':
      return `${value.toFixed(3)}x`;
    case '%':
      return `${value.toFixed(1)} %`;
    case 'ms':
      return `${Math.abs(value) < 10 ? value.toFixed(3) : value.toFixed(0)} ms`;
    case 's':
      return `${value.toFixed(1)} s`;
    case 'bytes':
    case 'calls':
    case 'cells':
      return `${Math.round(value)} ${unit}`;
  }
}

/** One line per failed target, e.g. `tap.throughput-ratio 0.532x (target >= 0.95x)`. */
export function describeFailures(verdicts: readonly TargetVerdict[]): string[] {
  return verdicts
    .filter((verdict) => !verdict.pass)
    .map(
      (verdict) =>
        `${verdict.name} ${formatTargetValue(verdict.value, verdict.unit)}` +
        `${verdict.detail ? ` (${verdict.detail})` : ''}, target ${verdict.op} ` +
        `${formatTargetValue(verdict.threshold, verdict.unit)}${verdict.overridden ? ' (set by --target)' : ''}`,
    );
}

function unitName(unit: TargetUnit): string {
  return {
    x: 'a ratio (x)',
    '%': 'percent',
    ms: 'milliseconds',
    s: 'seconds',
    bytes: 'bytes',
    calls: 'calls',
    cells: 'suite cells',
  }[unit];
}
