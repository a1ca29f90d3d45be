/**
 * The part of a scenario one participant of a segmented run performs. A clients segment
 * k/K runs every client process of the scenario, each making the calls g = (k-1) + i*K
 * of that client's seed-derived plan at the instants the whole run would make them: its
 * share of the arrival rate (rate/K, shifted by (k-1)/rate) or of the concurrency, and of
 * the call count. The servers run starts the servers and the faults and no client.
 *
 * Checks and gates of the whole run need every participant's observations; a participant
 * evaluates only what its own part can decide (listed in DEFERRED_CHECKS below), and the
 * merge evaluates everything on the merged run.
 */
import { describeFault, type FaultSpec } from '../chaos/fault-spec.ts';
import { CORE_CHECKS } from '../checks/invariants.ts';
import type { CallPlan } from '../load/call-plan.ts';
import type { LoadOptions } from '../load/load-options.ts';
import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import type { SegmentRole } from './segment-spec.ts';

export interface SegmentShare {
  readonly definition: ScenarioDefinition;
  /** The slice of each client's calls (clients segments only). */
  readonly callPlan?: CallPlan;
  /** Core checks this participant leaves to the merged run. */
  readonly deferredChecks: ReadonlySet<string>;
}

/**
 * Why each core check is or is not evaluated on one participant:
 * - a clients segment sees only its own calls and no server: every client-side invariant
 *   (answered at most once, correct, accounted, offered load of its share) holds per segment,
 *   but requests-handled-match-sent needs the servers' handled ids, so it waits for the merge;
 * - the servers run sees no call, only its servers and faults: it decides faults-fired only.
 */
const SERVER_SIDE_CHECKS = new Set(['faults-fired']);
const NEEDS_SERVERS = new Set(['requests-handled-match-sent']);

export function deferredChecks(role: SegmentRole): ReadonlySet<string> {
  return new Set(
    CORE_CHECKS.map((check) => check.id).filter((id) =>
      role === 'servers' ? !SERVER_SIDE_CHECKS.has(id) : NEEDS_SERVERS.has(id),
    ),
  );
}

/** Faults that cannot fire exactly once in a segmented run, each with the reason. */
export function faultsUnfitForSegments(faults: readonly FaultSpec[]): string[] {
  const problems: string[] = [];
  for (const fault of faults) {
    const what = describeFault(fault).description;
    if ('trigger' in fault && 'afterCall' in fault.trigger) {
      problems.push(
        `fault "${what}" fires after call ${fault.trigger.afterCall}, ` +
          'but in a segmented run no participant sees every call; trigger it at a time (atMs) instead',
      );
    }
    if ('proxy' in fault && fault.proxy === 'clients') {
      problems.push(
        `fault "${what}" acts on the clients proxy, and every segment has a clients proxy of its own, ` +
          "so it would hit one segment's share only; act on the servers proxy instead",
      );
    }
  }
  return problems;
}

/** The participant's scenario, or every reason it cannot be split that way. */
export function shareOf(
  definition: ScenarioDefinition,
  role: SegmentRole,
  index: number,
  count: number,
): { share?: SegmentShare; errors: string[] } {
  const errors = faultsUnfitForSegments(definition.faults);
  if (role === 'servers') {
    if (errors.length > 0) return { errors };
    return {
      errors,
      share: {
        definition: { ...definition, topology: { ...definition.topology, clients: 0 }, checks: [], gates: [] },
        deferredChecks: deferredChecks('servers'),
      },
    };
  }
  const load = loadShare(definition.load, index, count, errors);
  if (errors.length > 0 || load === undefined) return { errors };
  const offset = index - 1;
  return {
    errors,
    share: {
      definition: {
        ...definition,
        load,
        topology: { ...definition.topology, servers: 0 },
        faults: [],
        checks: [],
        gates: [],
      },
      callPlan: {
        offset,
        stride: count,
        phaseMs:
          definition.load.executor === 'constant-arrival-rate' ? (offset * 1000) / definition.load.ratePerSec : 0,
      },
      deferredChecks: deferredChecks('clients'),
    },
  };
}

/** Calls g = offset, offset + K, ... below the whole run's count. */
export function callsInSlice(calls: number, index: number, count: number): number {
  return Math.max(0, Math.ceil((calls - (index - 1)) / count));
}

function loadShare(load: LoadOptions, index: number, count: number, errors: string[]): LoadOptions | undefined {
  const calls = load.calls === undefined ? undefined : callsInSlice(load.calls, index, count);
  if (calls === 0)
    errors.push(
      `the scenario makes ${load.calls} calls per client, fewer than the ${count} segments: ` +
        `segment ${index} would make none; raise --calls or use fewer segments`,
    );
  if (load.executor === 'constant-arrival-rate') {
    return {
      ...load,
      ratePerSec: load.ratePerSec / count,
      maxInFlight: Math.max(1, Math.ceil(load.maxInFlight / count)),
      calls,
    };
  }
  // Callers split as evenly as integers allow; their sum over the segments is the whole.
  const concurrency =
    Math.floor((load.concurrency * index) / count) - Math.floor((load.concurrency * (index - 1)) / count);
  if (concurrency === 0) {
    errors.push(
      `a closed loop of ${load.concurrency} callers per client cannot be split into ${count} segments ` +
        `(segment ${index} would get none); raise --concurrency to at least ${count} or use fewer segments`,
    );
    return undefined;
  }
  return { ...load, concurrency, calls };
}
