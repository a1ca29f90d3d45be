import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedBroker } from '../env/broker/broker.ts';
import type { LatencySummary } from '../observe/latency-summary.ts';
import { defineScenario, type ScenarioDefinition } from '../scenario/define-scenario.ts';
import { runScenario } from '../engine/run-scenario.ts';
import type { ClientPriority } from '../env/realtime-priority.ts';

/**
 * The open-loop generator's accuracy, through the real path (one client process, servers as
 * processes, the built-in proxy): the rate it achieved against the target, how late it
 * started calls against their intended times, and whether every call that fell due was
 * started or counted as dropped.
 */
export interface OpenLoopSample {
  readonly targetPerSec: number;
  readonly achievedPerSec: number;
  /** achieved / target: target within 1 % (0.99 .. 1.01). */
  readonly rateRatio: number;
  readonly startLateness: LatencySummary | undefined;
  /** Calls due from the schedule alone: rate x duration. */
  readonly expectedDue: number;
  readonly due: number;
  readonly started: number;
  readonly dropped: number;
  /** Due calls neither started nor dropped: must be 0. */
  readonly unaccounted: number;
  readonly answered: number;
  readonly timedOut: number;
}

/** One client process driving `ratePerSec` for `durationMs`; enough servers that they are not the limit. */
export function openLoopScenario(ratePerSec: number, durationMs: number): ScenarioDefinition {
  return defineScenario({
    name: 'open-loop-accuracy',
    description:
      'one client process at a constant arrival rate, no faults: how accurately the generator offers its load',
    topology: { servers: 2, clients: 1, replyMode: 'callback-queue', prefetch: 100, confirmReplies: false },
    load: { executor: 'constant-arrival-rate', ratePerSec, durationMs, maxInFlight: 10_000 },
    maxN: 30,
    timeoutMs: 10_000,
    faults: [],
    checks: [],
    gates: [],
    tracing: { sampleRatio: 0.01 },
  });
}

export async function measureOpenLoop(
  broker: StartedBroker,
  ratePerSec: number,
  durationMs: number,
  clientPriority: ClientPriority = 'normal',
): Promise<OpenLoopSample> {
  const runDir = mkdtempSync(join(tmpdir(), 'rpc-chaos-open-loop-bench-'));
  try {
    const definition = openLoopScenario(ratePerSec, durationMs);
    const result = await runScenario({
      definition,
      broker,
      proxy: 'builtin',
      seed: 7,
      runDir,
      gates: [],
      tracing: { enabled: true, sampleRatio: definition.tracing?.sampleRatio ?? 0.01 },
      clientPriority,
    });
    const offered = result.offeredLoad;
    if (!offered)
      throw new Error(
        `open-loop bench at ${ratePerSec}/s${clientPriority === 'realtime' ? ' (realtime client)' : ''}: ` +
          `the client reported no offered load (${result.harnessErrors.join('; ') || result.verdict})`,
      );
    return {
      targetPerSec: ratePerSec,
      achievedPerSec: offered.achievedPerSec,
      rateRatio: offered.achievedPerSec / ratePerSec,
      startLateness: offered.startLateness,
      expectedDue: Math.ceil((ratePerSec * durationMs) / 1000),
      due: offered.due,
      started: offered.started,
      dropped: offered.dropped,
      unaccounted: offered.unaccounted ?? 0,
      answered: result.counters.answered,
      timedOut: result.counters.timedOut,
    };
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/** Delivered as asked: rate within 1 %, nothing dropped or skipped, every call answered. */
export function delivered(sample: OpenLoopSample): boolean {
  return (
    Math.abs(sample.rateRatio - 1) <= 0.01 &&
    sample.dropped === 0 &&
    sample.unaccounted === 0 &&
    sample.answered === sample.started
  );
}

export interface OpenLoopBenchResult {
  /** The target of issue 13: 2,000 calls/s for 10 s. */
  readonly atTarget: OpenLoopSample;
  /** The same with the client under SCHED_FIFO (--client-priority realtime), or why it was not measured. */
  readonly atTargetRealtime: OpenLoopSample | { readonly notMeasured: string };
  /** Rising rates until one is not delivered; the highest delivered is what one client process drives here. */
  readonly sweep: readonly OpenLoopSample[];
  readonly highestDeliveredPerSec: number | undefined;
}

export async function benchOpenLoop(
  broker: StartedBroker,
  options: { durationMs: number; sweepDurationMs: number; sweepRates: readonly number[] },
): Promise<OpenLoopBenchResult> {
  const atTarget = await measureOpenLoop(broker, 2_000, options.durationMs);
  const atTargetRealtime = await measureOpenLoop(broker, 2_000, options.durationMs, 'realtime').catch(
    (error: unknown) => ({ notMeasured: (error as Error).message }),
  );
  const sweep: OpenLoopSample[] = [];
  for (const rate of options.sweepRates) {
    const sample = await measureOpenLoop(broker, rate, options.sweepDurationMs);
    sweep.push(sample);
    if (!delivered(sample)) break;
  }
  const highest = sweep.filter(delivered).at(-1)?.targetPerSec;
  return { atTarget, atTargetRealtime, sweep, highestDeliveredPerSec: highest };
}
