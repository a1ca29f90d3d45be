import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../build/programs.ts';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { ServerWorkerConfig } from '../impl/builtin/worker-protocol.ts';
import { WorkerProcess, SpawnedWorker } from '../impl/builtin/worker-process.ts';
import { median } from './sample-stats.ts';

/**
 * How fast the harness gets going: a worker process from spawn to consuming its queue, how
 * late a scheduled server restart lands, and `npm run scenario -- duplicate-reply` end to end
 * (its own broker start included).
 */
export interface WorkerStartSample {
  readonly mode: 'compiled' | 'from source (tsx)';
  readonly samplesMs: readonly number[];
  readonly p50Ms: number;
  readonly maxMs: number;
  /** CPU time (user + system) the worker had used when ready, median: what a busy machine cannot inflate. */
  readonly cpuP50Ms: number | undefined;
}

export interface ScenarioRunSample {
  /** From `npm run scenario` to its exit, as a user waits for it. */
  readonly wallMs: number;
  /** run.durationMs of its result: from the runner's start to its result, broker included. */
  readonly runMs: number;
  /** Each scheduled restart: ms from its scheduled time until the new server consumed. */
  readonly restartLagsMs: readonly number[];
  readonly verdict: string;
}

/** Spawn to 'ready' (connected, queue declared, consuming) of a server worker straight on the broker. */
export async function measureWorkerStart(
  broker: StartedBroker,
  options: { samples: number; fromSource?: boolean },
): Promise<WorkerStartSample> {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-startup-bench-'));
  const samplesMs: number[] = [];
  const cpuMs: number[] = [];
  try {
    for (let i = 0; i < options.samples; i++) {
      const config: ServerWorkerConfig = {
        role: 'server',
        index: i + 1,
        incarnation: 1,
        name: `bench-server-${i}`,
        amqpUrl: broker.getAmqpUrl(),
        brokerUrl: broker.getAmqpUrl(),
        runDir: dir,
        queue: `bench_startup_${process.pid}_${i}`,
        prefetch: 100,
        confirmReplies: false,
        runStartEpochMs: Date.now(),
        tracing: { enabled: true, sampleRatio: 0.01, spansFile: join(dir, `spans-${i}.jsonl`) },
      };
      const started = performance.now();
      const worker = new WorkerProcess(
        config,
        () => undefined,
        new SpawnedWorker(config.name, { fromSource: options.fromSource, role: config.role }),
      );
      try {
        await worker.start();
        samplesMs.push(performance.now() - started);
        const cpu = processCpuMs(worker.pid);
        if (cpu !== undefined) cpuMs.push(cpu);
      } finally {
        await worker.stop(10_000);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    mode: options.fromSource ? 'from source (tsx)' : 'compiled',
    samplesMs,
    p50Ms: sorted[Math.floor((sorted.length - 1) / 2)] ?? 0,
    maxMs: sorted.at(-1) ?? 0,
    cpuP50Ms: cpuMs.length > 0 ? median(cpuMs) : undefined,
  };
}

/** utime + stime of a process from /proc, in ms (clock ticks of 10 ms); undefined without /proc. */
function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (1-based) are utime and stime; `fields` starts at field 3.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** `npm run scenario -- <scenario>` as a user runs it, on a private node of its own. */
export async function measureScenarioRun(scenario = 'duplicate-reply'): Promise<ScenarioRunSample> {
  const dir = mkdtempSync(join(tmpdir(), 'rpc-chaos-startup-bench-run-'));
  try {
    const started = performance.now();
    const child = spawn('npm', ['run', '--silent', 'scenario', '--', scenario, '--out', join(dir, 'run')], {
      cwd: REPO_ROOT,
      env: { ...process.env, AMQP_URL: '', TOXIPROXY_URL: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const wallMs = performance.now() - started;
    let result: { run: { durationMs: number }; verdict: string; faults: Array<{ restartLagMs?: number }> };
    try {
      result = JSON.parse(readFileSync(join(dir, 'run', 'result.json'), 'utf8')) as typeof result;
    } catch (error) {
      throw new Error(
        `${scenario} run (exit ${code}) wrote no readable result.json: ${(error as Error).message}\n${stderr}`,
      );
    }
    return {
      wallMs,
      runMs: result.run.durationMs,
      restartLagsMs: result.faults.flatMap((fault) => (fault.restartLagMs === undefined ? [] : [fault.restartLagMs])),
      verdict: result.verdict,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface StartupBenchResult {
  readonly workerStart: readonly WorkerStartSample[];
  readonly duplicateReplyRuns: readonly ScenarioRunSample[];
}

export async function benchStartup(
  broker: StartedBroker,
  options: { workerSamples: number; sourceSamples: number; scenarioRuns: number },
): Promise<StartupBenchResult> {
  const workerStart = [await measureWorkerStart(broker, { samples: options.workerSamples })];
  if (options.sourceSamples > 0)
    workerStart.push(await measureWorkerStart(broker, { samples: options.sourceSamples, fromSource: true }));
  const duplicateReplyRuns: ScenarioRunSample[] = [];
  for (let i = 0; i < options.scenarioRuns; i++) duplicateReplyRuns.push(await measureScenarioRun());
  return { workerStart, duplicateReplyRuns };
}
