import type { ScenarioDefinition } from '../scenario/define-scenario.ts';
import { SegmentRun } from './segment-run.ts';
import { shareOf } from './segment-share.ts';
import type { SegmentRequest } from './segment-spec.ts';

/** The scenario one participant runs and its hooks, or every reason the whole run cannot be split so. */
export function planParticipant(
  whole: ScenarioDefinition,
  request: SegmentRequest,
  seed: number,
): { run?: SegmentRun; definition?: ScenarioDefinition; errors: string[] } {
  const { share, errors } = shareOf(whole, request.role, request.index, request.count);
  if (!share) return { errors };
  return { run: new SegmentRun(request, whole, seed, share), definition: share.definition, errors };
}
