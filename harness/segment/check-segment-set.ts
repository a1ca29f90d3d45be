/**
 * Whether a set of segment folders is one run: the same identity (scenario, seed, start
 * time, segment count, request queue) and the same scenario options everywhere (the
 * implementations may differ by participant), every
 * clients segment 1..K exactly once, at most one servers run. Every problem is reported,
 * each naming the folders involved. Clock skew is not a refusal but a warning: recorded
 * start times more than MAX_CLOCK_SKEW_MS apart mean the machines' clocks (or their start)
 * disagreed, and time-based views of the merged run are shifted by that much.
 */
import { scenarioOptions } from './participant-implementation.ts';
import type { SegmentRecord } from './segment-record.ts';

export const MAX_CLOCK_SKEW_MS = 50;

export interface SegmentFolder {
  readonly dir: string;
  readonly record: SegmentRecord;
}

export interface SegmentSet {
  readonly problems: readonly string[];
  /** Clients segments in index order. */
  readonly segments: readonly SegmentFolder[];
  readonly servers: SegmentFolder | undefined;
  /** Largest difference between two recorded start times. */
  readonly clockSkewMs: number;
  /** Set when clockSkewMs > MAX_CLOCK_SKEW_MS. */
  readonly clockSkewWarning: string | undefined;
}

export function participantName(record: Pick<SegmentRecord, 'role' | 'index' | 'identity'>): string {
  return record.role === 'servers' ? 'servers' : `segment-${record.index}`;
}

export function checkSegmentSet(folders: readonly SegmentFolder[]): SegmentSet {
  const problems: string[] = [];
  const sameEverywhere = (what: string, pick: (record: SegmentRecord) => unknown) => {
    const byValue = new Map<string, string[]>();
    for (const folder of folders) {
      const key = JSON.stringify(pick(folder.record) ?? null);
      byValue.set(key, [...(byValue.get(key) ?? []), folder.dir]);
    }
    if (byValue.size > 1) {
      problems.push(
        `the folders are not from one run: ${what} differs ` +
          `(${[...byValue].map(([value, dirs]) => `${value} in ${dirs.join(', ')}`).join('; ')})`,
      );
    }
  };
  sameEverywhere('the scenario', (r) => r.identity.scenario);
  sameEverywhere('the seed', (r) => r.identity.seed);
  sameEverywhere('the start time (--start-at)', (r) => r.identity.startAt);
  sameEverywhere('the segment count', (r) => r.identity.count);
  sameEverywhere('the request queue', (r) => r.identity.queue);
  // Implementations are each participant's own (a mixed fleet merges): only the scenario's options must agree.
  sameEverywhere('the scenario options', (r) => scenarioOptions(r.overrides));
  sameEverywhere('the gates', (r) => r.gates);

  const servers = folders.filter((folder) => folder.record.role === 'servers');
  if (servers.length > 1)
    problems.push(
      `${servers.length} servers runs given (${servers.map((f) => f.dir).join(', ')}); a segmented run has one`,
    );
  const clients = folders.filter((folder) => folder.record.role === 'clients');
  const count = Math.max(0, ...folders.map((folder) => folder.record.identity.count));
  if (clients.length === 0)
    problems.push(
      'no clients segment given: merge the --out folders of the --segment k/K runs (and of the --role servers run)',
    );
  const byIndex = new Map<number, SegmentFolder[]>();
  for (const folder of clients) byIndex.set(folder.record.index, [...(byIndex.get(folder.record.index) ?? []), folder]);
  for (const [index, given] of [...byIndex].sort(([a], [b]) => a - b)) {
    if (given.length > 1)
      problems.push(
        `segment ${index}/${count} is given ${given.length} times ` +
          `(${given.map((f) => f.dir).join(', ')}); each segment once`,
      );
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (clients.length > 0 && missing.length > 0) {
    problems.push(
      `segment${missing.length > 1 ? 's' : ''} ${missing.map((index) => `${index}/${count}`).join(', ')} missing ` +
        `(given: ${[...byIndex.keys()].sort((a, b) => a - b).join(', ') || 'none'}); ` +
        'a merge needs every segment of the run',
    );
  }

  const starts = folders.map((folder) => folder.record.recordedStartEpochMs);
  const earliest = Math.min(...starts);
  const clockSkewMs = folders.length > 0 ? Math.max(...starts) - earliest : 0;
  const clockSkewWarning =
    clockSkewMs > MAX_CLOCK_SKEW_MS
      ? `clock skew: the participants' recorded start times differ by ${clockSkewMs} ms ` +
        `(more than ${MAX_CLOCK_SKEW_MS} ms): ${folders
          .map((folder) => `${participantName(folder.record)} +${folder.record.recordedStartEpochMs - earliest} ms`)
          .join(', ')}; ` +
        'a machine started late or its clock is off (sync it with NTP), ' +
        "and the merged run's series and timeline are shifted by up to that much"
      : undefined;
  return {
    problems,
    segments: [...clients].sort((a, b) => a.record.index - b.record.index),
    servers: servers[0],
    clockSkewMs,
    clockSkewWarning,
  };
}
