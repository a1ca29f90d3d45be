/**
 * The plan phase: the run's name, its folder, its request queue and the implementations it
 * drives, decided before anything starts.
 */
import { makeDirectory } from '../env/output-paths.ts';
import { selectImplementations, type SelectedImplementations } from '../impl/select-implementations.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { requestQueueFor, type RequestQueue } from './request-queue.ts';
import type { RunOptions } from './run-contract.ts';

export interface RunPlan {
  readonly runId: string;
  readonly startedAt: Date;
  readonly queue: RequestQueue;
  readonly implementations: SelectedImplementations;
}

export function planRun(options: Pick<RunOptions, 'definition' | 'runDir' | 'segment' | 'implementations'>): RunPlan {
  const { definition } = options;
  const startedAt = new Date();
  const runId = `${definition.name}-${startedAt.toISOString().replace(/[:.]/g, '-')}`;
  makeDirectory(options.runDir);
  const queue = options.segment?.requestQueue ?? requestQueueFor(runId, definition.topology.queue);
  return { runId, startedAt, queue, implementations: selectImplementations(definition, options.implementations) };
}

/**
 * Worker processes load their code while the broker boots; they connect once it is up. Those
 * for scheduled restarts wait through the run, so a restart lands on time.
 */
export function prepareInstances(implementations: SelectedImplementations, definition: ScenarioDefinition): void {
  implementations.server.prepare?.(
    [...range(definition.topology.servers), ...plannedRestarts(definition)].map((i) => `server-${i}`),
  );
  implementations.client.prepare?.(range(definition.topology.clients).map((i) => `client-${i}`));
}

/** The server of each fault that restarts one: a server restarted twice appears twice. */
function plannedRestarts(definition: ScenarioDefinition): number[] {
  return definition.faults.flatMap((fault) =>
    (fault.kind === 'kill-server' || fault.kind === 'kill-server-at-fault-point') && fault.restartAfterMs !== undefined
      ? [fault.server]
      : [],
  );
}

/** Instance indexes 1..count. */
export function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
