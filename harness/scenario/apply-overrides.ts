import type { CommandImplementationSpec } from './implementation-spec.ts';
import type { LoadOptions } from '../load/load-options.ts';
import type { ReplyMode } from '../rpc/fib-rpc-client.ts';
import { validateScenario, type QueueType, type ScenarioDefinition } from './define-scenario.ts';
import { loadNeededForRecoveryMs } from './recovery-tail.ts';

/** What the CLI may change in a scenario; everything else stays as the scenario file says. */
export interface ScenarioOverrides {
  readonly durationMs?: number;
  readonly ratePerSec?: number;
  readonly concurrency?: number;
  readonly calls?: number;
  readonly servers?: number;
  readonly clients?: number;
  readonly replyMode?: ReplyMode;
  readonly timeoutMs?: number;
  readonly sampleRatio?: number;
  readonly queue?: string;
  /** `--nodes`: above 1, a private cluster. */
  readonly nodes?: number;
  readonly queueType?: QueueType;
  /** `--confirm-requests`: clients publish with publisher confirms (on by default for a quorum queue). */
  readonly confirmRequests?: boolean;
  /** External implementations under test (`--server-cmd`, `--client-cmd`). */
  readonly serverCommand?: string;
  readonly clientCommand?: string;
  /** How long an external instance may take to become ready. */
  readonly readyTimeoutMs?: number;
  /** `--warmup-calls`: calls each client makes before the measured load, counted nowhere. */
  readonly warmupCalls?: number;
  /** `--recovery-allowance`: without `--duration`, the load is lengthened to leave it after the last fault. */
  readonly recoveryAllowanceMs?: number;
}

/**
 * Applies overrides and validates the result, so a bad combination is reported with every
 * problem at once. `--concurrency` switches to the closed-loop executor, `--rate` to the
 * open-loop one; giving both is an error. A count without a duration drops the scenario's
 * duration, so `--calls 100` means exactly 100 calls.
 */
export function applyOverrides(
  definition: ScenarioDefinition,
  overrides: ScenarioOverrides,
): { definition: ScenarioDefinition; errors: string[] } {
  const errors: string[] = [];
  if (overrides.ratePerSec !== undefined && overrides.concurrency !== undefined) {
    errors.push('--rate (open loop) and --concurrency (closed loop) exclude each other: give one');
  }
  const durationMs = overrides.durationMs ?? (overrides.calls !== undefined ? undefined : definition.load.durationMs);
  const calls = overrides.calls ?? (overrides.durationMs !== undefined ? undefined : definition.load.calls);
  let load: LoadOptions;
  if (overrides.concurrency !== undefined) {
    load = { executor: 'closed-loop', concurrency: overrides.concurrency, durationMs, calls };
  } else if (overrides.ratePerSec !== undefined || definition.load.executor === 'constant-arrival-rate') {
    const base = definition.load.executor === 'constant-arrival-rate' ? definition.load : undefined;
    load = {
      executor: 'constant-arrival-rate',
      ratePerSec: overrides.ratePerSec ?? base?.ratePerSec ?? 100,
      maxInFlight: base?.maxInFlight ?? 1_000,
      durationMs,
      calls,
    };
  } else {
    load = { ...definition.load, durationMs, calls };
  }
  const overridden: ScenarioDefinition = {
    ...definition,
    load,
    timeoutMs: overrides.timeoutMs ?? definition.timeoutMs,
    topology: {
      ...definition.topology,
      servers: overrides.servers ?? definition.topology.servers,
      clients: overrides.clients ?? definition.topology.clients,
      replyMode: overrides.replyMode ?? definition.topology.replyMode,
      queue: overrides.queue ?? definition.topology.queue,
      ...(overrides.nodes !== undefined ? { nodes: overrides.nodes } : {}),
      ...(overrides.queueType !== undefined ? { queueType: overrides.queueType } : {}),
      ...(overrides.confirmRequests !== undefined ? { confirmRequests: overrides.confirmRequests } : {}),
    },
    ...(overrides.warmupCalls !== undefined ? { warmupCalls: overrides.warmupCalls } : {}),
    ...(overrides.recoveryAllowanceMs !== undefined ? { recoveryAllowanceMs: overrides.recoveryAllowanceMs } : {}),
    tracing: overrides.sampleRatio !== undefined ? { sampleRatio: overrides.sampleRatio } : definition.tracing,
    implementations: {
      server: commandOverride(definition.implementations?.server, overrides.serverCommand, overrides.readyTimeoutMs),
      client: commandOverride(definition.implementations?.client, overrides.clientCommand, overrides.readyTimeoutMs),
    },
  };
  const next = overrides.durationMs === undefined ? withLoadForRecovery(overridden) : overridden;
  errors.push(...validateScenario(next));
  return { definition: next, errors };
}

/** A load too short for the recovery allowance, lengthened to fit; an explicit --duration is never changed. */
function withLoadForRecovery(definition: ScenarioDefinition): ScenarioDefinition {
  const neededMs = loadNeededForRecoveryMs(definition);
  const durationMs = definition.load.durationMs;
  if (neededMs === undefined || durationMs === undefined || durationMs >= neededMs) return definition;
  return { ...definition, load: { ...definition.load, durationMs: neededMs } };
}

function commandOverride(
  spec: CommandImplementationSpec | undefined,
  command: string | undefined,
  readyTimeoutMs: number | undefined,
): CommandImplementationSpec | undefined {
  const chosen = command ?? spec?.command;
  if (chosen === undefined) return undefined;
  return { ...spec, command: chosen, ...(readyTimeoutMs !== undefined ? { readyTimeoutMs } : {}) };
}
