/**
 * result.json's `errorGroups`: every client's failed calls grouped by error text, with the
 * process, in run time, largest group first.
 */
import type { ClientTally } from '../impl/instance-report.ts';
import type { ErrorGroups } from '../model/error-groups.ts';

export function errorGroupsOf(
  tallies: ReadonlyMap<string, ClientTally>,
  runStartEpochMs: number,
): ErrorGroups | undefined {
  const reporting = [...tallies].filter(([, tally]) => tally.errorGroups !== undefined);
  if (reporting.length === 0) return undefined;
  const runTime = (atMs: number) => Math.max(0, atMs - runStartEpochMs);
  const groups = reporting.flatMap(([process, tally]) =>
    tally.errorGroups!.groups.map((group) => ({
      process,
      pattern: group.pattern,
      example: group.example,
      count: group.count,
      firstTMs: runTime(group.firstAtMs),
      lastTMs: runTime(group.lastAtMs),
    })),
  );
  groups.sort((a, b) => b.count - a.count || a.firstTMs - b.firstTMs);
  const ungrouped = reporting
    .filter(([, tally]) => tally.errorGroups!.ungrouped > 0)
    .map(([process, tally]) => ({ process, count: tally.errorGroups!.ungrouped }));
  return { groups, ungrouped };
}
