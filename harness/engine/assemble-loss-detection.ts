/** When each process cut off by a blackhole noticed it (observe/loss-detection.ts), for checks and result.json. */
import type { LossDetection } from '../model/loss-detection.ts';
import { lossDetections } from '../observe/loss-detection.ts';
import type { AssembleInput } from './run-contract.ts';

export function lossDetectionOf(input: AssembleInput): LossDetection[] {
  return lossDetections(input.faults, input.timeline.events, input.definition.topology);
}

export function nonEmpty<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}
