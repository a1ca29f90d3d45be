/**
 * What makes runs on several machines one run: the same scenario, seed, start time and
 * segment count (the run identity), and for each participant its part. A clients segment
 * `k/K` makes one K-th of every client's calls; the servers run (`--role servers`) hosts
 * the servers and owns the fault schedule, so faults fire once.
 */
import type { ScenarioOverrides } from '../scenario/apply-overrides.ts';

export type SegmentRole = 'clients' | 'servers';

/** Shared by every participant of one segmented run; the merge refuses folders that differ. */
export interface SegmentIdentity {
  readonly scenario: string;
  readonly seed: number;
  /** The agreed start of the load, ISO 8601 UTC. */
  readonly startAt: string;
  readonly count: number;
  readonly queue: string;
}

/** What the command line asked one participant to do. */
export interface SegmentRequest {
  readonly role: SegmentRole;
  /** 1..count for a clients segment; 0 for the servers run. */
  readonly index: number;
  readonly count: number;
  readonly startAtEpochMs: number;
  /** The scenario as given on the command line (a name, or the path of a scenario file). */
  readonly scenarioSource: string;
  /** The command-line changes to the scenario, applied again by the merge to rebuild the whole run. */
  readonly overrides: ScenarioOverrides;
  /** Gates of the whole run: evaluated on the merged run, never on one segment. */
  readonly gates: readonly string[];
}

export const MAX_SEGMENTS = 256;
/** A start time further ahead than this is a typo (a wrong date), not a plan. */
export const MAX_START_AHEAD_MS = 24 * 3600_000;
/**
 * How far in the past a participant may find the agreed start, when the command is given and
 * again when its processes are ready. A participant that starts late makes every call that
 * much later than the whole run's schedule, and its faults or intervals move with it; seconds
 * are a scheduler that started a pod late or a set-up slower than planned, while minutes or
 * years are a wrong date or a clock that is off, and the run would measure nothing it meant to.
 */
export const MAX_START_LATENESS_MS = 10_000;
/**
 * Lateness worth a warning: a calls-by-start interval (the resolution of phase gates) is
 * 250 ms, so a later start moves calls into a later interval than the schedule puts them.
 * Below it is timer and scheduling noise on a busy machine.
 */
export const START_LATENESS_WARNING_MS = 250;

/** `2/4` -> segment 2 of 4; errors say what a valid value looks like. */
export function parseSegment(value: string): { index: number; count: number } {
  const match = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(value);
  if (!match) throw new Error(`--segment expects k/K, e.g. 2/4 (segment 2 of 4), got "${value}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SEGMENTS)
    throw new Error(`--segment ${value}: the segment count must be from 1 to ${MAX_SEGMENTS}`);
  if (index < 1 || index > count) throw new Error(`--segment ${value}: the segment must be from 1 to ${count}`);
  return { index, count };
}

/**
 * An ISO 8601 instant with a time zone (`2026-12-01T10:00:00Z`, `...+01:00`): machines in
 * different zones must agree on it, so a local time without a zone is refused.
 */
export function parseStartAt(value: string, nowEpochMs: number = Date.now()): number {
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const epochMs = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value.trim()) || !hasZone || Number.isNaN(epochMs)) {
    throw new Error(
      '--start-at expects an ISO 8601 time with a zone, ' +
        `e.g. ${new Date(nowEpochMs + 60_000).toISOString()}, got "${value}"`,
    );
  }
  if (epochMs - nowEpochMs > MAX_START_AHEAD_MS)
    throw new Error(`--start-at ${value} is more than 24 h ahead; check the date`);
  const inPast = startInPastProblem(`--start-at ${value}`, epochMs, nowEpochMs);
  if (inPast) throw new Error(`${inPast} or give a later time, e.g. ${new Date(nowEpochMs + 60_000).toISOString()}`);
  return epochMs;
}

/**
 * Why a start `nowEpochMs - startAtEpochMs` in the past cannot be kept, naming the clock
 * difference; undefined within MAX_START_LATENESS_MS. `what` names the start, e.g. `--start-at X`.
 */
export function startInPastProblem(what: string, startAtEpochMs: number, nowEpochMs: number): string | undefined {
  const lateMs = nowEpochMs - startAtEpochMs;
  if (lateMs <= MAX_START_LATENESS_MS) return undefined;
  return (
    `${what} is ${describeTimeSpan(lateMs)} in the past ` +
    `(this machine's clock reads ${new Date(nowEpochMs).toISOString()}); ` +
    `a segment's start must be at most ${MAX_START_LATENESS_MS / 1000} s in the past: ` +
    'check the clocks of the machines (chrony/ntp)'
  );
}

const TIME_UNITS: ReadonlyArray<readonly [string, number]> = [
  ['year', 31_556_952],
  ['month', 2_629_746],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];

/** `42.0 s`, or the two largest calendar units and the seconds: `6 years 11 months (218,730,051 s)`. */
export function describeTimeSpan(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1000);
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of TIME_UNITS) {
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0) parts.push(`${amount} ${unit}${amount === 1 ? '' : 's'}`);
    // Only the largest unit and the one right below it.
    if (parts.length === 2 || (parts.length === 1 && amount === 0)) break;
  }
  return `${parts.join(' ')} (${seconds.toLocaleString('en-US')} s)`;
}

/**
 * The request queue every participant uses unless one is named: derived from the run
 * identity, so machines that never talk to each other agree on it.
 */
export function sharedQueueName(scenario: string, seed: number, startAtEpochMs: number): string {
  return `rpc_queue.${scenario}.seed-${seed}.${new Date(startAtEpochMs).toISOString().replace(/[:.]/g, '-')}`;
}

export function describeParticipant(role: SegmentRole, index: number, count: number): string {
  return role === 'servers' ? `the servers run (of ${count} segments)` : `segment ${index}/${count}`;
}
