import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { programCommand } from '../build/programs.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import { medianSample, type ThroughputSample } from './measure-closed-loop.ts';

const execFileAsync = promisify(execFile);

export const TRACING_MODES = ['off', '1', '0.01'] as const;

export interface TracingBenchRow {
  readonly mode: 'off' | '100%' | '1%';
  readonly sample: ThroughputSample;
  /** 1 - throughput / throughput with tracing off. Target at 1 %: <= 0.05. */
  readonly throughputLoss: number;
}

/** Tracing off, on at 100 % and at 1 %, each in its own process, rounds interleaved. */
export async function benchTracing(broker: StartedBroker, options: { roundMs: number; rounds: number }): Promise<TracingBenchRow[]> {
  const samples = new Map<string, ThroughputSample[]>(TRACING_MODES.map((mode) => [mode, []]));
  for (let round = 0; round < options.rounds; round++) {
    // The order rotates each round: a mode that always ran right after the 100 % run (its
    // spans file still being written back, its broker queues still draining) measured slow.
    for (const mode of TRACING_MODES.map((_, i) => TRACING_MODES[(i + round) % TRACING_MODES.length]!)) {
      const child = programCommand('tracing-bench-child');
      const { stdout } = await execFileAsync(process.execPath, [...child.execArgv, child.file, mode, broker.getAmqpUrl(), String(options.roundMs), `bench_tracing_${mode}_${round}`], { timeout: options.roundMs + 60_000, env: { ...process.env, ...child.env } });
      samples.get(mode)!.push(JSON.parse(stdout.trim().split('\n').at(-1)!) as ThroughputSample);
    }
  }
  const off = medianSample(samples.get('off')!);
  const label = { off: 'off', '1': '100%', '0.01': '1%' } as const;
  return TRACING_MODES.map((mode) => {
    const sample = medianSample(samples.get(mode)!);
    return { mode: label[mode], sample, throughputLoss: 1 - sample.callsPerSec / off.callsPerSec };
  });
}
