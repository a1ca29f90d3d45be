import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { programCommand } from '../build/programs.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import { median, quantile } from './sample-stats.ts';
import { medianSample, type ThroughputSample } from './measure-closed-loop.ts';

const execFileAsync = promisify(execFile);

export const TRACING_MODES = ['off', '1', '0.01'] as const;

/**
 * What one child process measured: throughput, and its CPU time and GC time per call (client and server share the
 * process).
 */
export interface TracingSample extends ThroughputSample {
  readonly cpuUsPerCall: number;
  readonly gcCount: number;
  readonly gcUsPerCall: number;
}

export interface TracingBenchRow {
  readonly mode: 'off' | '100%' | '1%';
  /** The median round by throughput. */
  readonly sample: TracingSample;
  /** Median over rounds of the process's CPU time per call. */
  readonly cpuUsPerCall: number;
  /**
   * Median over rounds of 1 - throughput / throughput with tracing off in the same round.
   * Target at 1 %: <= 0.05. Paired per round, so a busy spell on the shared machine that
   * slows one round slows both sides of its ratio.
   */
  readonly throughputLoss: number;
  /** The same, per round, in round order: the spread shows how noisy the machine was. */
  readonly throughputLossByRound: readonly number[];
  /** Median over rounds of CPU time per call / CPU time per call with tracing off, minus 1. */
  readonly cpuOverhead: number;
}

/** One window of the alternating measurement: throughput (a flush of the window's spans included) and CPU per call. */
export interface WindowSample {
  readonly callsPerSec: number;
  readonly cpuUsPerCall: number;
}

/** What the alternating child printed: its pairs of windows, tracing on and off. */
export interface AlternatingSample {
  readonly windowMs: number;
  readonly pairs: ReadonlyArray<{ readonly on: WindowSample; readonly off: WindowSample }>;
}

export interface AlternatingTracingRow {
  readonly sampleRatio: number;
  readonly windowMs: number;
  readonly pairs: number;
  /** Median over pairs of 1 - on / off throughput. Target at 1 %: <= 0.05. */
  readonly throughputLoss: number;
  /** The 25th and 75th percentiles of the per-pair losses: how far one pair can be trusted. */
  readonly lossQuartiles: readonly [number, number];
  /** Median over pairs of CPU per call on / off, minus 1. */
  readonly cpuOverhead: number;
  readonly onCallsPerSec: number;
  readonly offCallsPerSec: number;
}

/**
 * Tracing at `sampleRatio` switched on and off in alternating windows of one warmed-up process
 * (see tracing-bench-child.ts): the per-call cost without the spread between processes.
 */
export async function benchTracingAlternating(
  broker: StartedBroker,
  options: { sampleRatio: number; windowMs: number; pairs: number },
): Promise<AlternatingTracingRow> {
  const child = programCommand('tracing-bench-child');
  const timeoutMs = options.windowMs * options.pairs * 2 + 60_000;
  const args = [
    ...child.execArgv,
    child.file,
    `alternate:${options.sampleRatio}`,
    broker.getAmqpUrl(),
    String(options.windowMs),
    'bench_tracing_alternating',
    String(options.pairs),
  ];
  const { stdout } = await execFileAsync(process.execPath, args, {
    timeout: timeoutMs,
    env: { ...process.env, ...child.env },
  });
  const sample = JSON.parse(stdout.trim().split('\n').at(-1)!) as AlternatingSample;
  return alternatingRow(options.sampleRatio, sample);
}

export function alternatingRow(sampleRatio: number, sample: AlternatingSample): AlternatingTracingRow {
  if (sample.pairs.length === 0) throw new Error('the alternating tracing bench measured no pair of windows');
  const losses = sample.pairs.map((pair) => 1 - pair.on.callsPerSec / pair.off.callsPerSec);
  return {
    sampleRatio,
    windowMs: sample.windowMs,
    pairs: sample.pairs.length,
    throughputLoss: median(losses),
    lossQuartiles: [quantile(losses, 0.25), quantile(losses, 0.75)],
    cpuOverhead: median(sample.pairs.map((pair) => pair.on.cpuUsPerCall / pair.off.cpuUsPerCall - 1)),
    onCallsPerSec: median(sample.pairs.map((pair) => pair.on.callsPerSec)),
    offCallsPerSec: median(sample.pairs.map((pair) => pair.off.callsPerSec)),
  };
}

/** Tracing off, on at 100 % and at 1 %, each in its own process, rounds interleaved. */
export async function benchTracing(
  broker: StartedBroker,
  options: { roundMs: number; rounds: number },
): Promise<TracingBenchRow[]> {
  const rounds: Array<Map<string, TracingSample>> = [];
  for (let round = 0; round < options.rounds; round++) {
    const samples = new Map<string, TracingSample>();
    // The order rotates each round: a mode that always ran right after the 100 % run (its
    // spans file still being written back, its broker queues still draining) measured slow.
    for (const mode of TRACING_MODES.map((_, i) => TRACING_MODES[(i + round) % TRACING_MODES.length]!)) {
      const child = programCommand('tracing-bench-child');
      const { stdout } = await execFileAsync(
        process.execPath,
        [
          ...child.execArgv,
          child.file,
          mode,
          broker.getAmqpUrl(),
          String(options.roundMs),
          `bench_tracing_${mode}_${round}`,
        ],
        { timeout: options.roundMs + 60_000, env: { ...process.env, ...child.env } },
      );
      samples.set(mode, JSON.parse(stdout.trim().split('\n').at(-1)!) as TracingSample);
    }
    rounds.push(samples);
  }
  const label = { off: 'off', '1': '100%', '0.01': '1%' } as const;
  return TRACING_MODES.map((mode) => {
    const own = rounds.map((round) => round.get(mode)!);
    const lossByRound = rounds.map((round) => 1 - round.get(mode)!.callsPerSec / round.get('off')!.callsPerSec);
    const cpuRatios = rounds.map((round) => round.get(mode)!.cpuUsPerCall / round.get('off')!.cpuUsPerCall - 1);
    return {
      mode: label[mode],
      sample: medianSample(own),
      cpuUsPerCall: median(own.map((sample) => sample.cpuUsPerCall)),
      throughputLoss: median(lossByRound),
      throughputLossByRound: lossByRound,
      cpuOverhead: median(cpuRatios),
    };
  });
}
