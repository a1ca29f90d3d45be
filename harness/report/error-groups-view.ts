/**
 * The words and rows the reporters share for two things result.json holds: the diagnosis of a
 * failed run, the failed calls grouped by error text, and how stale replies were seen.
 */
import type { ErrorGroup } from '../model/error-groups.ts';
import type { ScenarioResult } from '../model/result-schema.ts';
import { int } from './format.ts';

/** Groups shown in the terminal; summary.md and report.html show up to TABLE_GROUPS. */
export const TERMINAL_GROUPS = 5;
export const TABLE_GROUPS = 20;

export const groupTime = (tMs: number) => `${(tMs / 1000).toFixed(3)} s`;

/**
 * "discarded" when the built-in client discarded its stale replies itself; "delivered" when an
 * external client got them and only the frame tap saw them arrive.
 */
export function staleReplyVerb(result: ScenarioResult): 'discarded' | 'delivered' {
  return result.environment.implementations?.client.startsWith('command:') ? 'delivered' : 'discarded';
}

/** Groups beyond those shown, and failures the processes did not group (their group cap). */
export function errorGroupsLeftOut(result: ScenarioResult, shown: number): string | undefined {
  const groups = result.errorGroups?.groups ?? [];
  const hidden = groups.slice(shown).reduce((sum, group) => sum + group.count, 0);
  const ungrouped = (result.errorGroups?.ungrouped ?? []).reduce((sum, each) => sum + each.count, 0);
  const parts = [
    ...(hidden > 0 ? [`${int(hidden)} in ${groups.length - shown} more groups`] : []),
    ...(ungrouped > 0 ? [`${int(ungrouped)} not grouped (over the per-process limit of groups)`] : []),
  ];
  return parts.length > 0 ? `and ${parts.join(', ')}` : undefined;
}

export function errorGroupLine(group: ErrorGroup): string {
  const span =
    group.count === 1
      ? `at ${groupTime(group.firstTMs)}`
      : `${groupTime(group.firstTMs)} – ${groupTime(group.lastTMs)}`;
  return `${int(group.count).padStart(6)}  ${group.process}  ${span}  ${group.example}`;
}
