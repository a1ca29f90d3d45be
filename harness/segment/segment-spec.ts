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

/** `2/4` -> segment 2 of 4; errors say what a valid value looks like. */
export function parseSegment(value: string): { index: number; count: number } {
  const match = /^\s*(\d{1,4})\s*\/\s*(\d{1,4})\s*$/.exec(value);
  if (!match) throw new Error(`--segment expects k/K, e.g. 2/4 (segment 2 of 4), got "${value}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || count > MAX_SEGMENTS) throw new Error(`--segment ${value}: the segment count must be from 1 to ${MAX_SEGMENTS}`);
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
    throw new Error(`--start-at expects an ISO 8601 time with a zone, e.g. ${new Date(nowEpochMs + 60_000).toISOString()}, got "${value}"`);
  }
  if (epochMs - nowEpochMs > MAX_START_AHEAD_MS) throw new Error(`--start-at ${value} is more than 24 h ahead; check the date`);
  return epochMs;
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
